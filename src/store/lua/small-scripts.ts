import { LuaScript } from './script.js';

/** KEYS[1] station names, KEYS[2] now-playing key; ARGV[1] station, ARGV[2] JSON ('' clears). */
export const setNowPlayingScript = new LuaScript(
  'now-playing-set',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then fail('NOTFOUND', 'station ' .. quote(ARGV[1]) .. ' does not exist') end
if ARGV[2] == '' then return redis.call('DEL', KEYS[2]) end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`,
);

/** KEYS[1] station names, KEYS[2] history list; ARGV[1] station, ARGV[2] JSON entry, ARGV[3] limit. */
export const appendHistoryScript = new LuaScript(
  'history-append',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then fail('NOTFOUND', 'station ' .. quote(ARGV[1]) .. ' does not exist') end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
return 1
`,
);

/** KEYS[1] cache entry, KEYS[2] counters hash; ARGV[1] cache name. A read that counts its hit or miss. */
export const countedGetScript = new LuaScript(
  'cache-get',
  `
local value = redis.call('GET', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[1] .. (value and ':hit' or ':miss'), 1)
return value
`,
);
