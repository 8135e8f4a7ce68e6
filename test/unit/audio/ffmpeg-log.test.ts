import { describe, expect, it } from 'vitest';
import { decodedSamples, encodedSamples, inputFormatName, parseLogLine, ProblemLines } from '../../../src/audio/ffmpeg-log.js';

describe('ffmpeg log lines', () => {
  it('reads the input\'s container from its "Input #0" line, not the output\'s', () => {
    expect(inputFormatName("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/music/a b.m4a':")).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(inputFormatName("Input #0, mp3, from 'file:/music/a.mp3':")).toBe('mp3');
    expect(inputFormatName("Output #0, mp3, to 'pipe:1':")).toBeUndefined();
  });

  it('splits the level and drops the context address', () => {
    expect(parseLogLine('[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55b4c324ba80] [error] moov atom not found')).toEqual({
      level: 'error',
      text: 'mov,mp4,m4a,3gp,3g2,mj2: moov atom not found',
    });
    expect(parseLogLine('[info] Stream mapping:')).toEqual({ level: 'info', text: 'Stream mapping:' });
    expect(parseLogLine('plain line')).toEqual({ level: undefined, text: 'plain line' });
  });

  it('reads the sample counts ffmpeg prints at exit with -loglevel verbose', () => {
    const output = parseLogLine('[verbose]   Output stream #0:0 (audio): 175 frames encoded (201537 samples); 176 packets muxed (73560 bytes); ');
    const input = parseLogLine('[verbose]   Input stream #0:0 (audio): 131 packets read (72861 bytes); 130 frames decoded (133120 samples); ');
    expect(encodedSamples(output.text)).toBe(201537);
    expect(decodedSamples(input.text)).toBe(133120);
    expect(encodedSamples(input.text)).toBeUndefined();
    expect(decodedSamples('[verbose]   Input stream #0:1 (video): 1 packets read (100 bytes); ')).toBeUndefined();
  });

  it('keeps the last warnings and errors, and names the last error as the reason', () => {
    const problems = new ProblemLines(3);
    for (const line of [
      '[info] Stream mapping:',
      '[warning] first warning',
      '[error] first error',
      '[warning] w2',
      '[warning] w3',
      '[verbose] chatter',
    ]) {
      problems.add(parseLogLine(line));
    }
    expect(problems.tail).toEqual(['first error', 'w2', 'w3']);
    expect(problems.reason).toBe('first error');
  });
});
