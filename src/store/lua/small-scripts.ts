import { LuaScript } from './script.js';

/**
 * KEYS[1] station names, KEYS[2] now-playing key, KEYS[3] the station's lease;
 * ARGV[1] station, ARGV[2] JSON ('' clears), ARGV[3] worker, ARGV[4] token (see check_fence).
 */
export const setNowPlayingScript = new LuaScript(
  'now-playing-set',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then fail('NOTFOUND', 'station ' .. quote(ARGV[1]) .. ' does not exist') end
check_fence(KEYS[3], ARGV[3], ARGV[4])
if ARGV[2] == '' then return redis.call('DEL', KEYS[2]) end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`,
);

/**
 * KEYS[1] station names, KEYS[2] history list, KEYS[3] the station's lease;
 * ARGV[1] station, ARGV[2] JSON entry, ARGV[3] limit, ARGV[4] worker, ARGV[5] token (see check_fence).
 */
export const appendHistoryScript = new LuaScript(
  'history-append',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then fail('NOTFOUND', 'station ' .. quote(ARGV[1]) .. ' does not exist') end
check_fence(KEYS[3], ARGV[4], ARGV[5])
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
