import { LuaScript } from './script.js';

// Lease times come from Redis's clock (TIME), so workers on hosts whose clocks disagree still agree on them.
const REDIS_NOW_MS = `
local function redis_now_ms()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end
`;

/**
 * Takes a station that nobody holds, or extends the caller's own hold. A new hold gets the next fencing
 * token, so every new owner, the same worker after a lapse included, writes with a larger token.
 * KEYS: [1] station names, [2] lease, [3] token counter. ARGV: [1] station, [2] worker, [3] TTL ms,
 * [4] '' or the token of the caller's lapsed hold: then only when no other hold came after it.
 * Returns the token, or nil when the station is gone, another worker holds it, or held it meanwhile.
 */
export const claimLeaseScript = new LuaScript(
  'lease-claim',
  `${REDIS_NOW_MS}
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return false end
local held = redis.call('HMGET', KEYS[2], 'worker', 'token')
if held[1] then
  if held[1] ~= ARGV[2] then return false end
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return tonumber(held[2])
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[4] then return false end
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], 'worker', ARGV[2], 'token', token, 'since', redis_now_ms())
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return token
`,
);

/** KEYS[1] lease; ARGV[1] worker, [2] token, [3] TTL ms. 1 when the hold was still the caller's and is extended. */
export const renewLeaseScript = new LuaScript(
  'lease-renew',
  `
local held = redis.call('HMGET', KEYS[1], 'worker', 'token')
if held[1] ~= ARGV[1] or held[2] ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
);

/** KEYS[1] lease; ARGV[1] events channel, [2] worker, [3] token. Ends the caller's hold (never another's): 1 when it did. */
export const releaseLeaseScript = new LuaScript(
  'lease-release',
  `
local held = redis.call('HMGET', KEYS[1], 'worker', 'token')
if held[1] ~= ARGV[2] or held[2] ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
publish(ARGV[1], { type = 'fleet-changed' })
return 1
`,
);

/**
 * Registers a worker as alive for TTL ms and forgets those whose registration ended; a worker joining or
 * one forgotten changes everyone's share, so it is announced. KEYS[1] workers (sorted set scored by end
 * time); ARGV[1] events channel, [2] worker, [3] TTL ms. Returns the live workers.
 */
export const workerHeartbeatScript = new LuaScript(
  'worker-heartbeat',
  `${REDIS_NOW_MS}
local now = redis_now_ms()
local forgotten = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local joined = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
if forgotten + joined > 0 then publish(ARGV[1], { type = 'fleet-changed' }) end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`,
);

/** KEYS[1] workers; ARGV[1] events channel, [2] worker. */
export const workerLeavesScript = new LuaScript(
  'worker-leaves',
  `
if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then publish(ARGV[1], { type = 'fleet-changed' }) end
return 1
`,
);

/**
 * Who plays what, read in one step: Redis's time, the live players and fallback-only workers, and for each
 * station in name order its holder, token and hold start ('' / 0 when nobody holds it) and the worker
 * feeding its fallback ('' when none).
 * KEYS: [1] station names, [2] workers, [3] fallback-only workers. ARGV: [1] lease key prefix, [2] fallback lease key prefix.
 */
export const readFleetScript = new LuaScript(
  'fleet-read',
  `${REDIS_NOW_MS}
local now = redis_now_ms()
local players = redis.call('ZRANGEBYSCORE', KEYS[2], now, '+inf')
local feeders = redis.call('ZRANGEBYSCORE', KEYS[3], now, '+inf')
local stations = redis.call('SMEMBERS', KEYS[1])
table.sort(stations)
local leases = {}
for _, station in ipairs(stations) do
  local held = redis.call('HMGET', ARGV[1] .. station, 'worker', 'token', 'since')
  leases[#leases + 1] = station
  leases[#leases + 1] = held[1] or ''
  leases[#leases + 1] = held[2] or '0'
  leases[#leases + 1] = held[3] or '0'
  leases[#leases + 1] = redis.call('HGET', ARGV[2] .. station, 'worker') or ''
end
return { now, players, feeders, leases }
`,
);
