import { describe, expect, it } from 'vitest';
import { pathSegments } from '../../../src/web/index.js';

describe('request paths', () => {
  it('decodes each segment after splitting, so a station name may hold a slash', () => {
    expect(pathSegments('/api/stations/a%2Fb/events?x=1')).toEqual(['api', 'stations', 'a/b', 'events']);
  });

  it('decodes UTF-8 names', () => {
    expect(pathSegments(`/${encodeURIComponent('晚间 jazz')}`)).toEqual(['晚间 jazz']);
  });

  it('finds no segment in the root and refuses broken percent-encoding', () => {
    expect(pathSegments('/')).toEqual([]);
    expect(pathSegments('/%E6%99')).toBeNull();
  });
});
