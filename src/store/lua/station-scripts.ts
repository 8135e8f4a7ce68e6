import { LuaScript } from './script.js';

const FIELD_PAIRS = `
local function field_pairs(first)
  local fields = {}
  for i = first, #ARGV - 1, 2 do fields[ARGV[i]] = ARGV[i + 1] end
  return fields
end
local function require_playlist(playlists_key, playlist)
  if redis.call('SISMEMBER', playlists_key, playlist) == 0 then
    fail('NOTFOUND', 'playlist ' .. quote(playlist) .. ' does not exist: create it with relaycast playlist create')
  end
end
local function require_free_mount(mounts_key, mount, station)
  local owner = redis.call('HGET', mounts_key, mount)
  if owner and owner ~= station then
    fail('CONFLICT', 'mount ' .. mount .. ' is already used by station ' .. quote(owner))
  end
end
`;

/**
 * KEYS[1] station names, KEYS[2] station hash, KEYS[3] mount → station hash, KEYS[4] playlist names;
 * ARGV[1] channel, ARGV[2] name, ARGV[3..] field/value pairs (all fields, mount and playlist included).
 */
export const createStationScript = new LuaScript(
  'station-create',
  `${FIELD_PAIRS}
local channel, name = ARGV[1], ARGV[2]
local fields = field_pairs(3)
if redis.call('SISMEMBER', KEYS[1], name) == 1 then fail('CONFLICT', 'station ' .. quote(name) .. ' already exists') end
require_playlist(KEYS[4], fields.playlist)
require_free_mount(KEYS[3], fields.mount, name)
for i = 3, #ARGV - 1, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], name)
redis.call('HSET', KEYS[3], fields.mount, name)
publish(channel, { type = 'station-changed', station = name })
return 1
`,
);

/**
 * KEYS[1] station names, KEYS[2] station hash, KEYS[3] mounts, KEYS[4] playlist names,
 * KEYS[5..7] cursor, shuffle order, shuffle played; ARGV[1] channel, ARGV[2] name, ARGV[3] now (0/1),
 * ARGV[4..] field/value pairs to change. A new playlist starts from its beginning (a fresh round).
 */
export const updateStationScript = new LuaScript(
  'station-update',
  `${FIELD_PAIRS}
local channel, name, now = ARGV[1], ARGV[2], ARGV[3] == '1'
local fields = field_pairs(4)
if redis.call('SISMEMBER', KEYS[1], name) == 0 then fail('NOTFOUND', 'station ' .. quote(name) .. ' does not exist') end
local old = redis.call('HMGET', KEYS[2], 'mount', 'playlist')
if fields.playlist then require_playlist(KEYS[4], fields.playlist) end
if fields.mount then require_free_mount(KEYS[3], fields.mount, name) end
for i = 4, #ARGV - 1, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
if fields.mount and fields.mount ~= old[1] then
  if old[1] and redis.call('HGET', KEYS[3], old[1]) == name then redis.call('HDEL', KEYS[3], old[1]) end
  redis.call('HSET', KEYS[3], fields.mount, name)
end
if fields.playlist and fields.playlist ~= old[2] then
  redis.call('HDEL', KEYS[5], 'index', 'ref')
  redis.call('DEL', KEYS[6], KEYS[7])
end
publish(channel, { type = 'station-changed', station = name, now = now })
return 1
`,
);

/** KEYS[1] station names, KEYS[2] mounts, KEYS[3] station hash, KEYS[4..] the station's other keys. */
export const removeStationScript = new LuaScript(
  'station-remove',
  `
local channel, name = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[1], name) == 0 then fail('NOTFOUND', 'station ' .. quote(name) .. ' does not exist') end
local mount = redis.call('HGET', KEYS[3], 'mount')
if mount and redis.call('HGET', KEYS[2], mount) == name then redis.call('HDEL', KEYS[2], mount) end
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('SREM', KEYS[1], name)
publish(channel, { type = 'station-removed', station = name })
return 1
`,
);

/** KEYS[1] station names; ARGV[1] channel, ARGV[2] name: asks the worker to skip the current song. */
export const skipScript = new LuaScript(
  'station-skip',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 0 then fail('NOTFOUND', 'station ' .. quote(ARGV[2]) .. ' does not exist') end
return redis.call('PUBLISH', ARGV[1], cjson.encode({ type = 'skip', station = ARGV[2] }))
`,
);
