import { describe, expect, it } from 'vitest';
import { parseStoreEvent } from '../../../src/store/events.js';
import { EVENTS_CHANNEL, keys, stationKeys } from '../../../src/store/keys.js';

describe('parseStoreEvent', () => {
  it('reads every event type', () => {
    expect(parseStoreEvent('{"type":"skip","station":"jazz"}')).toEqual({ type: 'skip', station: 'jazz' });
    expect(parseStoreEvent('{"type":"playlist-changed","playlist":"p"}')).toEqual({ type: 'playlist-changed', playlist: 'p' });
    expect(parseStoreEvent('{"type":"queue-changed","station":"s","now":true}')).toEqual({ type: 'queue-changed', station: 's', now: true });
    expect(parseStoreEvent('{"type":"station-changed","station":"s","now":false}')).toEqual({ type: 'station-changed', station: 's', now: false });
    expect(parseStoreEvent('{"type":"station-removed","station":"s"}')).toEqual({ type: 'station-removed', station: 's' });
    expect(parseStoreEvent('{"type":"cache-cleared"}')).toEqual({ type: 'cache-cleared' });
  });

  it('returns null for anything else instead of throwing', () => {
    for (const message of ['', 'not json', 'null', '[]', '{"type":"explode"}', '{"type":"skip","station":5}', '{"type":"skip","now":"yes"}']) {
      expect(parseStoreEvent(message)).toBeNull();
    }
  });
});

describe('keys', () => {
  it('puts every key and the channel under relaycast:', () => {
    expect(EVENTS_CHANNEL).toBe('relaycast:events');
    expect(keys.playlist('a:b')).toBe('relaycast:playlist:a:b');
    for (const key of stationKeys('jazz')) expect(key.startsWith('relaycast:')).toBe(true);
  });

  it('keeps families apart even for names containing the separator', () => {
    const all = [keys.playlist('x'), keys.queue('x'), keys.station('x'), keys.playlists, keys.stations, keys.songMeta('netease:1')];
    expect(new Set(all).size).toBe(all.length);
    expect(keys.playlist('s')).not.toBe(keys.playlists);
  });
});
