import { describe, expect, it } from 'vitest';
import { parseListeners } from '../../../src/icecast/index.js';

describe('parseListeners', () => {
  it('reads each mount from its listenurl, whatever host Icecast names', () => {
    const text = JSON.stringify({ icestats: { source: [{ listenurl: 'http://radio.example:8000/a.mp3', listeners: 3 }, { listenurl: 'http://localhost:8000/b.mp3', listeners: 0 }] } });
    expect([...parseListeners(text)!]).toEqual([['/a.mp3', 3], ['/b.mp3', 0]]);
  });

  it('takes a lone source given as an object, and no source at all, as Icecast 2.4 sends them', () => {
    expect([...parseListeners(JSON.stringify({ icestats: { source: { listenurl: 'http://h:8000/only.mp3', listeners: 2 } } }))!]).toEqual([['/only.mp3', 2]]);
    expect(parseListeners(JSON.stringify({ icestats: { admin: 'x' } }))!.size).toBe(0);
  });

  it('skips sources without a usable listenurl or count', () => {
    const text = JSON.stringify({ icestats: { source: [{ listenurl: 'not a url', listeners: 1 }, { listenurl: 'http://h/x.mp3' }, null] } });
    expect(parseListeners(text)!.size).toBe(0);
  });
});
