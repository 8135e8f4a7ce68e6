import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_FORMAT } from '../../../src/audio/index.js';
import { createLogger } from '../../../src/log/index.js';
import type { Station } from '../../../src/station/index.js';
import type { Station as StoredStation, StoreStations } from '../../../src/store/index.js';
import { StationRoster } from '../../../src/worker/roster.js';
import { captureLog } from '../../support/icecast.js';

/** A running station as the roster sees it: what was asked of it, in order. */
interface FakeStation {
  readonly stored: StoredStation;
  /** The settings as the station reads them at each song. */
  readonly current: () => StoredStation;
  readonly calls: string[];
}

function stored(name: string, changes: Partial<StoredStation> = {}): StoredStation {
  return { name, mount: `/${name}.mp3`, playlist: 'main', mode: 'order', repeat: true, match: true, loudness: -16, crossfade: 0, format: DEFAULT_STREAM_FORMAT, iceName: name, iceDescription: '', iceGenre: '', ...changes };
}

/**
 * The stations in Redis as a list the test edits; `down` makes list fail as Redis away does, and
 * `hold` keeps the next list unanswered until released.
 */
function fakeStore(initial: StoredStation[]) {
  const state = { stations: initial, down: false, reads: 0, hold: undefined as Promise<void> | undefined };
  // The roster reads the stored stations and nothing else.
  const stations: Pick<StoreStations, 'list'> = {
    async list() {
      state.reads += 1;
      await state.hold;
      if (state.down) throw new Error('Connection is closed.');
      return state.stations;
    },
  };
  return { stations, state };
}

function roster(initial: StoredStation[], options: { refuse?: string } = {}) {
  const { stations, state } = fakeStore(initial);
  const built: FakeStation[] = [];
  const log = captureLog();
  const build = (settings: StoredStation, current: () => StoredStation): Station => {
    if (settings.name === options.refuse) throw new Error(`mount ${settings.mount} is taken`);
    const station: FakeStation = { stored: settings, current, calls: [] };
    built.push(station);
    const record = (call: string) => () => void station.calls.push(call);
    return { start: record('start'), skip: record('skip'), replan: record('replan'), stop: async () => record('stop')() } as unknown as Station;
  };
  // The stations whose lease this worker holds: all of them unless a test gives some up.
  const notPlayed = new Set<string>();
  const running = new StationRoster(stations, build, (name) => !notPlayed.has(name), createLogger({ destination: log }));
  /** Stations built and not stopped since, by name. */
  const live = () => built.filter((station) => !station.calls.includes('stop')).map((station) => station.stored.name);
  const callsOf = (name: string) => built.filter((station) => station.stored.name === name).map((station) => station.calls);
  return { roster: running, state, built, log, live, callsOf, notPlayed };
}

/** Events start a sync without returning it: let its promise chain run out. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StationRoster', () => {
  it('starts every stored station once, however often it syncs', async () => {
    const { roster: running, built, live } = roster([stored('jazz'), stored('rock')]);
    await running.sync();
    await running.sync();
    expect(live()).toEqual(['jazz', 'rock']);
    expect(built.map((station) => station.calls)).toEqual([['start'], ['start']]);
    expect(running.size).toBe(2);
  });

  it('runs only the stations it plays, and stops one it no longer plays without reading Redis', async () => {
    const { roster: running, state, live, notPlayed } = roster([stored('jazz'), stored('rock')]);
    notPlayed.add('rock');
    await running.sync();
    expect(live()).toEqual(['jazz']);
    notPlayed.delete('rock');
    await running.sync();
    expect(live()).toEqual(['jazz', 'rock']);
    notPlayed.add('jazz');
    state.down = true;
    const reads = state.reads;
    await running.stopUnplayed();
    expect(live()).toEqual(['rock']);
    expect(state.reads).toBe(reads);
  });

  it('starts a station created after it began, on station-changed', async () => {
    const { roster: running, state, live } = roster([stored('jazz')]);
    await running.sync();
    state.stations = [stored('jazz'), stored('rock')];
    running.handle({ type: 'station-changed', station: 'rock' });
    await settle();
    expect(live()).toEqual(['jazz', 'rock']);
  });

  it('stops a station removed from Redis, on station-removed, and says why', async () => {
    const { roster: running, state, live, callsOf, log } = roster([stored('jazz'), stored('rock')]);
    await running.sync();
    state.stations = [stored('jazz')];
    running.handle({ type: 'station-removed', station: 'rock' });
    await settle();
    expect(live()).toEqual(['jazz']);
    expect(callsOf('rock')).toEqual([['start', 'stop']]);
    expect(running.size).toBe(1);
    expect(log.lines.find((line) => line.msg === 'stopping the station')).toMatchObject({ station: 'rock', why: 'it was removed' });
  });

  it.each<[string, Partial<StoredStation>]>([
    ['mount', { mount: '/jazz-hq.mp3' }],
    ['format', { format: { ...DEFAULT_STREAM_FORMAT, bitrateKbps: DEFAULT_STREAM_FORMAT.bitrateKbps + 64 } }],
    ['ice name', { iceName: 'Jazz all night' }],
    ['ice description', { iceDescription: 'smooth' }],
    ['ice genre', { iceGenre: 'jazz' }],
  ])('restarts a station whose %s changed: a new source connection with the new settings', async (_setting, change) => {
    const { roster: running, state, built, callsOf } = roster([stored('jazz')]);
    await running.sync();
    state.stations = [stored('jazz', change)];
    running.handle({ type: 'station-changed', station: 'jazz' });
    await settle();
    expect(callsOf('jazz')).toEqual([['start', 'stop'], ['start']]);
    expect(built[1]!.stored).toEqual(stored('jazz', change));
  });

  it.each<[string, Partial<StoredStation>]>([
    ['playlist', { playlist: 'evening' }],
    ['mode', { mode: 'shuffle' }],
    ['repeat', { repeat: false }],
    ['match', { match: false }],
  ])('replans a station whose %s changed, without restarting it', async (_setting, change) => {
    const { roster: running, state, callsOf } = roster([stored('jazz')]);
    await running.sync();
    state.stations = [stored('jazz', change)];
    running.handle({ type: 'station-changed', station: 'jazz' });
    await settle();
    expect(callsOf('jazz')).toEqual([['start', 'replan']]);
  });

  it('lets a running station read its settings as last synced: match off reaches it from the next song', async () => {
    const { roster: running, state, built } = roster([stored('jazz')]);
    await running.sync();
    expect(built[0]!.current().match).toBe(true);
    state.stations = [stored('jazz', { match: false })];
    await running.sync();
    expect(built).toHaveLength(1);
    expect(built[0]!.calls).toEqual(['start', 'replan']);
    expect(built[0]!.current().match).toBe(false);
  });

  it('remembers the replanned settings: the next sync with nothing changed does nothing', async () => {
    const { roster: running, state, callsOf } = roster([stored('jazz')]);
    await running.sync();
    state.stations = [stored('jazz', { playlist: 'evening' })];
    await running.sync();
    await running.sync();
    expect(callsOf('jazz')).toEqual([['start', 'replan']]);
  });

  it('skips the named station only, and ignores events for stations it does not run', async () => {
    const { roster: running, callsOf } = roster([stored('jazz'), stored('rock')]);
    await running.sync();
    running.handle({ type: 'skip', station: 'rock' });
    running.handle({ type: 'skip', station: 'blues' });
    running.handle({ type: 'queue-changed', station: 'blues', now: true });
    expect(callsOf('jazz')).toEqual([['start']]);
    expect(callsOf('rock')).toEqual([['start', 'skip']]);
  });

  it('replans on a queue change, and cuts the current song only when asked for at once', async () => {
    const { roster: running, callsOf } = roster([stored('jazz'), stored('rock')]);
    await running.sync();
    running.handle({ type: 'queue-changed', station: 'jazz', now: false });
    running.handle({ type: 'queue-changed', station: 'rock', now: true });
    expect(callsOf('jazz')).toEqual([['start', 'replan']]);
    expect(callsOf('rock')).toEqual([['start', 'replan', 'skip']]);
  });

  it('replans every station playing a changed playlist, and no other', async () => {
    const { roster: running, callsOf } = roster([stored('jazz'), stored('rock', { playlist: 'loud' }), stored('blues')]);
    await running.sync();
    running.handle({ type: 'playlist-changed', playlist: 'main', now: true });
    expect(callsOf('jazz')).toEqual([['start', 'replan', 'skip']]);
    expect(callsOf('blues')).toEqual([['start', 'replan', 'skip']]);
    expect(callsOf('rock')).toEqual([['start']]);
  });

  it('keeps the running stations when Redis cannot be read, warns, and catches up once it answers', async () => {
    const { roster: running, state, live, log } = roster([stored('jazz')]);
    await running.sync();
    state.down = true;
    state.stations = [stored('rock')];
    await expect(running.sync()).resolves.toBeUndefined();
    expect(live()).toEqual(['jazz']);
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual(["could not read the stations from Redis; keeping the running ones"]);
    state.down = false;
    await running.sync();
    expect(live()).toEqual(['rock']);
  });

  it('logs a station that cannot be built, runs the others, and tries it again at the next sync', async () => {
    const { roster: running, live, log } = roster([stored('jazz'), stored('rock')], { refuse: 'jazz' });
    await running.sync();
    expect(live()).toEqual(['rock']);
    expect(running.size).toBe(1);
    expect(log.lines.filter((line) => line.level === 'error')).toMatchObject([{ station: 'jazz', msg: 'cannot start the station' }]);
    await running.sync();
    expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(2);
  });

  it('runs overlapping syncs one after the other, so a station is never started twice', async () => {
    const { roster: running, state, built } = roster([stored('jazz')]);
    let release!: () => void;
    state.hold = new Promise((resolve) => (release = resolve));
    const first = running.sync();
    const second = running.sync();
    await settle();
    expect(state.reads).toBe(1);
    release();
    await Promise.all([first, second]);
    expect(state.reads).toBe(2);
    expect(built.map((station) => station.stored.name)).toEqual(['jazz']);
  });

  it('stops every station on stopAll', async () => {
    const { roster: running, live, callsOf } = roster([stored('jazz'), stored('rock')]);
    await running.sync();
    await running.stopAll();
    expect(live()).toEqual([]);
    expect(running.size).toBe(0);
    expect(callsOf('jazz')).toEqual([['start', 'stop']]);
  });
});
