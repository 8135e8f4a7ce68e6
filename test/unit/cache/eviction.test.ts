import { describe, expect, it } from 'vitest';
import { chooseEvictions } from '../../../src/cache/eviction.js';

const entry = (name: string, bytes: number, lastPlayedMs: number, inUse = false) => ({ name, bytes, lastPlayedMs, inUse });

describe('chooseEvictions', () => {
  it('evicts nothing while the total fits', () => {
    expect(chooseEvictions([entry('a', 40, 1), entry('b', 60, 2)], 100)).toEqual([]);
  });

  it('evicts the least recently played first, only as many as needed', () => {
    const entries = [entry('new', 40, 30), entry('old', 40, 10), entry('mid', 40, 20)];
    expect(chooseEvictions(entries, 80)).toEqual(['old']);
    expect(chooseEvictions(entries, 40)).toEqual(['old', 'mid']);
  });

  it('passes over entries in use, even the oldest', () => {
    const entries = [entry('old', 40, 10, true), entry('mid', 40, 20), entry('new', 40, 30)];
    expect(chooseEvictions(entries, 80)).toEqual(['mid']);
  });

  it('stays over the bound rather than touch entries in use', () => {
    expect(chooseEvictions([entry('a', 80, 10, true), entry('b', 80, 20, true), entry('c', 10, 30)], 100)).toEqual(['c']);
  });

  it('breaks ties in last-played time by name, so the choice does not depend on map order', () => {
    expect(chooseEvictions([entry('b', 50, 10), entry('a', 50, 10)], 50)).toEqual(['a']);
  });
});
