import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { parseAssignments } from '../../../src/cli/commands/station.js';
import { parseOnOff, parsePosition, parsePositions, parseRefLines, refsFromArgs } from '../../../src/cli/commands/input.js';
import { parseListeners } from '../../../src/icecast/index.js';
import { formatDuration, progressBar } from '../../../src/cli/format/time.js';
import { ValidationError } from '../../../src/store/index.js';

describe('parsePositions', () => {
  it('expands ranges, both ends included', () => expect(parsePositions(['1', '4-6', '9'])).toEqual([1, 4, 5, 6, 9]));
  it.each([['0'], ['-1'], ['x'], ['3-1'], ['1.5'], ['1-99999999']])('refuses %j', (arg) => {
    expect(() => parsePositions([arg])).toThrow(CliError);
  });
});

describe('parsePosition', () => {
  it('passes a well-formed position past any list on, for the store to call out of range', () => {
    expect(parsePosition('99999999999')).toBe(99_999_999_999);
  });
  it('calls a position too large to be a number one that does not exist (exit 3), not bad input', () => {
    expect(() => parsePosition('99999999999999999999')).toThrow(expect.objectContaining({ exitCode: EXIT.notFound }));
  });
});

describe('parseRefLines', () => {
  it('skips blanks and # lines, so an exported M3U can be piped in', () => {
    expect(parseRefLines('#EXTM3U\n#EXTINF:1,a - b\nnetease:1\n\n  qq:0039MnYb0qxYhV  \n')).toEqual(['netease:1', 'qq:0039MnYb0qxYhV']);
  });
  it('names the bad line', () => {
    expect(() => parseRefLines('netease:1\nnope\n')).toThrow(/stdin line 2: invalid song ref "nope"/);
    expect(() => parseRefLines('\n# only comments\n')).toThrow(ValidationError);
  });
});

describe('refsFromArgs', () => {
  it('reads stdin for -', async () => {
    expect(await refsFromArgs(['-'], Readable.from(['netease:1\nnetease:2\n']))).toEqual(['netease:1', 'netease:2']);
  });
  it('refuses - mixed with refs', async () => {
    await expect(refsFromArgs(['-', 'netease:1'])).rejects.toThrow(/not both/);
  });
});

describe('parseAssignments (station set)', () => {
  it('merges settings, format fields included', () => {
    expect(parseAssignments(['mode=shuffle', 'repeat=off', 'bitrate=192', 'channels=1', 'ice-name=Jazz FM'])).toEqual({
      mode: 'shuffle',
      repeat: false,
      format: { bitrateKbps: 192, channels: 1 },
      iceName: 'Jazz FM',
    });
  });
  it('turns the cross-provider match on and off', () => {
    expect(parseAssignments(['match=off'])).toEqual({ match: false });
    expect(parseAssignments(['match=on'])).toEqual({ match: true });
  });
  it.each([['volume=3'], ['mode'], ['mode=random'], ['repeat=maybe'], ['match=sometimes'], ['bitrate=fast']])('refuses %j', (assignment) => {
    expect(() => parseAssignments([assignment])).toThrow(CliError);
  });
  it('refuses a key given twice', () => expect(() => parseAssignments(['mode=order', 'mode=shuffle'])).toThrow(/twice/));
});

describe('parseOnOff', () => {
  it('reads on/off words', () => {
    expect(parseOnOff('ON', 'repeat')).toBe(true);
    expect(parseOnOff('off', 'repeat')).toBe(false);
  });
});

describe('parseListeners (Icecast status-json.xsl)', () => {
  it('reads one source as an object', () => {
    const body = JSON.stringify({ icestats: { source: { listenurl: 'http://h:8000/jazz.mp3', listeners: 3 } } });
    expect(parseListeners(body)).toEqual(new Map([['/jazz.mp3', 3]]));
  });
  it('reads several sources as an array', () => {
    const body = JSON.stringify({
      icestats: { source: [{ listenurl: 'http://h:8000/a.mp3', listeners: 1 }, { listenurl: 'http://h:8000/b.mp3', listeners: 0 }] },
    });
    expect(parseListeners(body)).toEqual(new Map([['/a.mp3', 1], ['/b.mp3', 0]]));
  });
  it('reads no source as no listeners', () => {
    expect(parseListeners(JSON.stringify({ icestats: { admin: 'x' } }))).toEqual(new Map());
  });
  it('survives invalid JSON and odd shapes', () => {
    expect(parseListeners('{"icestats": {"source": [ {"title": - } ] }')).toBeNull();
    expect(parseListeners('null')).toBeNull();
    expect(parseListeners(JSON.stringify({ icestats: { source: [null, 5, { listenurl: 'x', listeners: 2 }, { listenurl: 'http://h/m', listeners: 'many' }] } }))).toEqual(new Map());
  });
});

describe('time', () => {
  it('formats durations like mpc', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_999)).toBe('1:01');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(undefined)).toBe('-:--');
  });
  it('draws a clamped progress bar', () => {
    expect(progressBar(0.5, 10)).toBe('[#####-----]');
    expect(progressBar(2, 4)).toBe('[####]');
    expect(progressBar(Number.NaN, 4)).toBe('[----]');
  });
});
