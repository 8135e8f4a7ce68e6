import { describe, expect, it } from 'vitest';
import { sseComment, sseEvent } from '../../../src/web/index.js';

describe('Server-Sent Events framing', () => {
  it('writes an event as its name and a data line, ended by a blank line', () => {
    expect(sseEvent('now-playing', '{"title":"晴天"}')).toBe('event: now-playing\ndata: {"title":"晴天"}\n\n');
  });

  it('splits data on every kind of line break, so a newline cannot end the event early', () => {
    expect(sseEvent('x', 'a\nb\r\nc\rd')).toBe('event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('refuses an event name that spans lines', () => {
    expect(() => sseEvent('a\nb', '')).toThrow(/span lines/);
  });

  it('writes comments (heartbeats) on one line that clients ignore', () => {
    expect(sseComment('heartbeat')).toBe(': heartbeat\n\n');
    expect(sseComment('a\nb')).toBe(': a b\n\n');
  });
});
