import { LuaScript } from './script.js';

/*
 * Stored playlist edits. Common layout:
 *   KEYS[1] set of playlist names, KEYS[2] the playlist's list
 *   ARGV[1] events channel, ARGV[2] playlist name, then per script.
 * Each checks everything first, then writes, then publishes `playlist-changed`.
 */

const REQUIRE_PLAYLIST = `
local channel, name = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[1], name) == 0 then
  fail('NOTFOUND', 'playlist ' .. quote(name) .. ' does not exist')
end
local length = redis.call('LLEN', KEYS[2])
local function require_room(limit, adding)
  if length + adding > limit then
    fail('INVALID', 'playlist ' .. quote(name) .. ' would hold ' .. songs(length + adding) ..
      ', more than the limit of ' .. limit)
  end
end
local function require_position(position, last)
  if position < 1 or position > last then
    fail('NOTFOUND', 'position ' .. position .. ' is out of range: playlist ' .. quote(name) ..
      ' has ' .. songs(length))
  end
end
local function changed() publish(channel, { type = 'playlist-changed', playlist = name }) end
`;

/** ARGV[3] limit → 1 or CONFLICT. */
export const createPlaylistScript = new LuaScript(
  'playlist-create',
  `
local channel, name = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[1], name) == 1 then fail('CONFLICT', 'playlist ' .. quote(name) .. ' already exists') end
redis.call('SADD', KEYS[1], name)
publish(channel, { type = 'playlist-changed', playlist = name })
return 1
`,
);

/** KEYS[3] set of station names; ARGV[3] station key prefix. Refuses while a station plays it. */
export const removePlaylistScript = new LuaScript(
  'playlist-remove',
  `${REQUIRE_PLAYLIST}
local users = {}
for _, station in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HGET', ARGV[3] .. station, 'playlist') == name then users[#users + 1] = station end
end
if #users > 0 then
  table.sort(users)
  fail('CONFLICT', 'playlist ' .. quote(name) .. ' is played by station(s) ' .. table.concat(users, ', ') ..
    ': give them another playlist first')
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[1], name)
changed()
return length
`,
);

/**
 * KEYS[3] the new name's list, KEYS[4] set of station names; ARGV[3] new name, ARGV[4] station key prefix.
 * Stations that play the playlist follow it to its new name.
 */
export const renamePlaylistScript = new LuaScript(
  'playlist-rename',
  `${REQUIRE_PLAYLIST}
local new_name = ARGV[3]
if redis.call('SISMEMBER', KEYS[1], new_name) == 1 then fail('CONFLICT', 'playlist ' .. quote(new_name) .. ' already exists') end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[3]) end
redis.call('SREM', KEYS[1], name)
redis.call('SADD', KEYS[1], new_name)
local moved = {}
for _, station in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  if redis.call('HGET', ARGV[4] .. station, 'playlist') == name then
    redis.call('HSET', ARGV[4] .. station, 'playlist', new_name)
    moved[#moved + 1] = station
  end
end
changed()
publish(channel, { type = 'playlist-changed', playlist = new_name })
for _, station in ipairs(moved) do publish(channel, { type = 'station-changed', station = station }) end
return #moved
`,
);

/** ARGV[3] limit, ARGV[4..] refs → new length. */
export const appendToPlaylistScript = new LuaScript(
  'playlist-append',
  `${REQUIRE_PLAYLIST}
local refs = argv_from(4)
require_room(tonumber(ARGV[3]), #refs)
push_all('RPUSH', KEYS[2], refs)
changed()
return length + #refs
`,
);

/** ARGV[3] limit, ARGV[4] position (1..length+1, the first inserted song lands there), ARGV[5..] refs. */
export const insertIntoPlaylistScript = new LuaScript(
  'playlist-insert',
  `${REQUIRE_PLAYLIST}
local position = tonumber(ARGV[4])
local refs = argv_from(5)
require_position(position, length + 1)
require_room(tonumber(ARGV[3]), #refs)
if position == length + 1 then
  push_all('RPUSH', KEYS[2], refs)
else
  local items = redis.call('LRANGE', KEYS[2], 0, -1)
  local out = {}
  for i = 1, position - 1 do out[#out + 1] = items[i] end
  for i = 1, #refs do out[#out + 1] = refs[i] end
  for i = position, #items do out[#out + 1] = items[i] end
  replace_list(KEYS[2], out)
end
changed()
return length + #refs
`,
);

/** ARGV[3..] positions (1-based; repeats allowed) → how many entries were removed. */
export const deleteFromPlaylistScript = new LuaScript(
  'playlist-delete',
  `${REQUIRE_PLAYLIST}
local positions = argv_from(3)
for _, text in ipairs(positions) do require_position(tonumber(text), length) end
-- Refs never contain control characters, so this marker cannot be a real entry.
local marker = '\\001deleted'
for _, text in ipairs(positions) do redis.call('LSET', KEYS[2], tonumber(text) - 1, marker) end
local removed = redis.call('LREM', KEYS[2], 0, marker)
changed()
return removed
`,
);

/** ARGV[3] from, ARGV[4] to (both 1-based): the song at `from` ends up at `to`. */
export const moveInPlaylistScript = new LuaScript(
  'playlist-move',
  `${REQUIRE_PLAYLIST}
local from, to = tonumber(ARGV[3]), tonumber(ARGV[4])
require_position(from, length)
require_position(to, length)
if from ~= to then
  local items = redis.call('LRANGE', KEYS[2], 0, -1)
  local ref = table.remove(items, from)
  table.insert(items, to, ref)
  replace_list(KEYS[2], items)
  changed()
end
return length
`,
);

/** → how many entries were removed. The playlist stays, empty. */
export const clearPlaylistScript = new LuaScript(
  'playlist-clear',
  `${REQUIRE_PLAYLIST}
redis.call('DEL', KEYS[2])
changed()
return length
`,
);

/** ARGV[3] seed: reorders the stored playlist once, for good. */
export const shufflePlaylistScript = new LuaScript(
  'playlist-shuffle',
  `${REQUIRE_PLAYLIST}
local items = redis.call('LRANGE', KEYS[2], 0, -1)
shuffle_in_place(items, make_rng(ARGV[3]))
replace_list(KEYS[2], items)
changed()
return length
`,
);

/**
 * Import: ARGV[3] limit, ARGV[4] 'replace' | 'append', ARGV[5] '1' to create a missing playlist,
 * ARGV[6..] refs → the new length.
 */
export const importIntoPlaylistScript = new LuaScript(
  'playlist-import',
  `
local channel, name = ARGV[1], ARGV[2]
local limit, mode, create = tonumber(ARGV[3]), ARGV[4], ARGV[5] == '1'
local refs = argv_from(6)
local exists = redis.call('SISMEMBER', KEYS[1], name) == 1
if not exists and not create then fail('NOTFOUND', 'playlist ' .. quote(name) .. ' does not exist') end
local length = mode == 'replace' and 0 or redis.call('LLEN', KEYS[2])
if length + #refs > limit then
  fail('INVALID', 'playlist ' .. quote(name) .. ' would hold ' .. songs(length + #refs) .. ', more than the limit of ' .. limit)
end
redis.call('SADD', KEYS[1], name)
if mode == 'replace' then replace_list(KEYS[2], refs) else push_all('RPUSH', KEYS[2], refs) end
publish(channel, { type = 'playlist-changed', playlist = name })
return length + #refs
`,
);
