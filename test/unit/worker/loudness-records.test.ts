import { describe, expect, it, vi } from 'vitest';
import type { SongLoudness } from '../../../src/audio/index.js';
import { createLogger } from '../../../src/log/index.js';
import { StoreUnavailableError } from '../../../src/store/index.js';
import { loudnessRecorder } from '../../../src/worker/loudness-records.js';
import { captureLog } from '../../support/icecast.js';

const LOUDNESS: SongLoudness = { integratedLufs: -18.2, truePeakDb: -0.9 };

describe('loudnessRecorder', () => {
  it('writes each song\'s figures to the store', async () => {
    const put = vi.fn(async () => undefined);
    const record = loudnessRecorder({ putSongLoudness: put }, createLogger({ destination: captureLog() }));
    record('netease:1', LOUDNESS);
    expect(put).toHaveBeenCalledWith('netease:1', LOUDNESS);
  });

  it('never throws when Redis fails: one warning per outage, and a line when it records again', async () => {
    const log = captureLog();
    let down = true;
    const put = vi.fn(async () => {
      if (down) throw new StoreUnavailableError('cannot reach Redis');
    });
    const record = loudnessRecorder({ putSongLoudness: put }, createLogger({ destination: log }));
    for (const ref of ['netease:1', 'netease:2', 'netease:3']) record(ref, LOUDNESS);
    await vi.waitFor(() => expect(put.mock.settledResults.filter((result) => result.type !== 'incomplete')).toHaveLength(3));
    down = false;
    record('netease:4', LOUDNESS);
    await vi.waitFor(() => expect(log.lines.map((line) => line.msg)).toContain('song loudness recorded in Redis again'));
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ song: 'netease:1' });
  });
});
