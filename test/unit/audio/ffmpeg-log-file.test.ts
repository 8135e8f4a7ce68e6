import { writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { FfmpegLogFile, LOG_HEAD_BYTES, LOG_TAIL_BYTES } from '../../../src/audio/ffmpeg-log-file.js';

const opened: FfmpegLogFile[] = [];

async function logOf(text: string): Promise<FfmpegLogFile> {
  const log = await FfmpegLogFile.create();
  if (!log) throw new Error('no log file could be made in the temporary folder');
  opened.push(log);
  writeSync(log.fd, text);
  return log;
}

async function linesOf(log: FfmpegLogFile): Promise<string[]> {
  const lines: string[] = [];
  await log.readLines((line) => lines.push(line));
  return lines;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((log) => log.close()));
});

describe('FfmpegLogFile', () => {
  it('leaves no file behind: it is unlinked as soon as it is open', async () => {
    const log = await logOf('[info] Stream mapping:\n');
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`relaycast-ffmpeg-${process.pid}-`))).toEqual([]);
    expect(await linesOf(log)).toEqual(['[info] Stream mapping:']);
  });

  it('reads every line in order, a last line without newline and CJK cut across read chunks included', async () => {
    const filler = `[verbose] ${'x'.repeat(65_530)}\n`; // puts the next line across the 64 KiB read boundary
    const log = await logOf(`${filler}[info] 标题：月亮代表我的心\n[error] last words`);
    const lines = await linesOf(log);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('[info] 标题：月亮代表我的心');
    expect(lines[2]).toBe('[error] last words');
  });

  it('reads the head and the tail of a long log whole, and skips its middle', async () => {
    const line = (index: number) => `[verbose] line ${String(index).padStart(7, '0')} ${'.'.repeat(80)}`;
    const count = Math.ceil((3 * (LOG_HEAD_BYTES + LOG_TAIL_BYTES)) / 100);
    const log = await logOf(`${Array.from({ length: count }, (_, index) => line(index)).join('\n')}\n`);
    const lines = await linesOf(log);
    expect(lines[0]).toBe(line(0));
    expect(lines.at(-1)).toBe(line(count - 1));
    // Only whole lines: none cut where the head ends or where the tail begins.
    expect(lines.every((text) => /^\[verbose\] line \d{7} \.{80}$/.test(text))).toBe(true);
    expect(lines.length).toBeLessThan((LOG_HEAD_BYTES + LOG_TAIL_BYTES) / 90);
    expect(lines.length).toBeGreaterThan((LOG_HEAD_BYTES + LOG_TAIL_BYTES) / 110);
  });

  it('says so when no log file can be made (the run then reads its log through a pipe)', async () => {
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = '/nonexistent/relaycast-tmp';
    try {
      expect(await FfmpegLogFile.create()).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
  });
});
