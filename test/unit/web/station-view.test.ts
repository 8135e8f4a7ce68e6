import { describe, expect, it } from 'vitest';
import type { PlayedSong, Station } from '../../../src/store/index.js';
import { STATION_DEFAULTS } from '../../../src/store/index.js';
import { stationView, streamUrlOf, viewKey, type StationView } from '../../../src/web/index.js';

const station = { ...STATION_DEFAULTS, name: '晚间 jazz', mount: '/jazz.mp3', playlist: 'evening' } as Station;
const NOW = 1_700_000_100_000;

const played = (index: number, extra: Partial<PlayedSong> = {}): PlayedSong => ({
  ref: `local:song-${index}.mp3`,
  title: `Song ${index}`,
  artist: 'Artist',
  startedAt: NOW - 1_000 * index * 200,
  durationMs: 180_000,
  source: 'playlist',
  position: index,
  ...extra,
});

const view = (overrides: Partial<Parameters<typeof stationView>[0]> = {}): StationView =>
  stationView({
    station,
    playing: played(0, { title: '告白气球', artist: '周杰伦', album: '周杰伦的床边故事', startedAt: NOW - 42_000 }),
    next: { ref: 'qq:002', source: 'queue', position: 1 },
    nextMeta: { title: 'Next one', artist: 'Someone', durationMs: 200_000 },
    history: Array.from({ length: 15 }, (_, i) => played(i + 1)),
    listeners: new Map([['/jazz.mp3', 3]]),
    now: NOW,
    icecastPublicUrl: 'https://radio.example.com/live/',
    ...overrides,
  });

describe('the station JSON of /api/stations/<name>', () => {
  it('carries the station, its stream URL, the song playing with its elapsed time, the next song, 10 played and the listeners', () => {
    const result = view();
    expect(result).toMatchObject({
      name: '晚间 jazz',
      mount: '/jazz.mp3',
      streamUrl: 'https://radio.example.com/live/jazz.mp3',
      playing: { title: '告白气球', artist: '周杰伦', album: '周杰伦的床边故事', coverUrl: null, startedAt: NOW - 42_000, durationMs: 180_000, elapsedMs: 42_000 },
      next: { ref: 'qq:002', title: 'Next one', artist: 'Someone', album: null, durationMs: 200_000 },
      listeners: 3,
    });
    expect(result.history).toHaveLength(10);
    expect(result.history[0]).toEqual({ ref: 'local:song-1.mp3', title: 'Song 1', artist: 'Artist', album: null, coverUrl: null, durationMs: 180_000, startedAt: NOW - 200_000 });
  });

  it('shows nothing playing once the recorded song is well past its end (its worker stopped)', () => {
    expect(view({ playing: played(0, { startedAt: NOW - 186_000 }) }).playing).toBeNull();
    expect(view({ playing: played(0, { startedAt: NOW - 184_000 }) }).playing).not.toBeNull();
    expect(view({ playing: null }).playing).toBeNull();
  });

  it('names the next song by its ref when the caches do not know it', () => {
    expect(view({ nextMeta: undefined }).next).toEqual({ ref: 'qq:002', title: '', artist: '', album: null, coverUrl: null, durationMs: null });
    expect(view({ next: null }).next).toBeNull();
  });

  it('carries the covers the store recorded: of the song playing, the next one and the history', () => {
    const cover = (n: number) => `https://p2.music.126.net/cover-${n}.jpg`;
    const result = view({
      playing: played(0, { startedAt: NOW - 1_000, coverUrl: cover(0) }),
      nextMeta: { title: 'Next one', artist: 'Someone', coverUrl: cover(9) },
      history: [played(1, { coverUrl: cover(1) }), played(2)],
    });
    expect(result.playing?.coverUrl).toBe(cover(0));
    expect(result.next?.coverUrl).toBe(cover(9));
    expect(result.history.map((song) => song.coverUrl)).toEqual([cover(1), null]);
  });

  it.each(['javascript:alert(1)', 'data:image/svg+xml,<svg/>', '//cdn.example/a.jpg', 'file:///etc/passwd', `https://cdn.example/${'a'.repeat(3_000)}.jpg`])(
    'passes no cover to the page that is not an http(s) URL of sane length (%s)',
    (coverUrl) => {
      const result = view({ playing: played(0, { startedAt: NOW - 1_000, coverUrl }), nextMeta: { title: 'N', artist: 'A', coverUrl }, history: [played(1, { coverUrl })] });
      expect([result.playing?.coverUrl, result.next?.coverUrl, result.history[0]?.coverUrl]).toEqual([null, null, null]);
    },
  );

  it('counts 0 listeners on a mount Icecast does not list, and null when Icecast could not be asked', () => {
    expect(view({ listeners: new Map() }).listeners).toBe(0);
    expect(view({ listeners: null }).listeners).toBeNull();
  });

  it('builds stream URLs on the public base with or without a path', () => {
    expect(streamUrlOf('http://localhost:8000/', '/radio.mp3')).toBe('http://localhost:8000/radio.mp3');
    expect(streamUrlOf('https://example.com/icecast/', '/a b.mp3')).toBe('https://example.com/icecast/a%20b.mp3');
  });

  it('tells views apart by everything but the elapsed time', () => {
    expect(viewKey(view({ now: NOW }))).toBe(viewKey(view({ now: NOW + 5_000 })));
    expect(viewKey(view())).not.toBe(viewKey(view({ listeners: new Map([['/jazz.mp3', 4]]) })));
    expect(viewKey(view())).not.toBe(viewKey(view({ playing: played(9, { startedAt: NOW - 1_000 }) })));
  });
});
