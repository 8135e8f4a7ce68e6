/**
 * Lua helpers prepended to every store script. Errors are raised as `{err = '<KIND> <message>'}`
 * tables so that nested helpers can abort the whole script; store/redis-errors.ts maps KIND
 * (NOTFOUND, CONFLICT, INVALID) to the typed errors. A script that fails before its first write
 * changes nothing, and every script checks before it writes.
 */
export const LUA_PRELUDE = `
local function fail(kind, message) error({ err = kind .. ' ' .. message }) end
-- Names reach Lua already free of control characters; escape only what would break the quotes
-- (cjson.encode would also turn / into \\/).
local function quote(text)
  local escaped = string.gsub(string.gsub(text, '\\\\', '\\\\\\\\'), '"', '\\\\"')
  return '"' .. escaped .. '"'
end
local function songs(count) return count == 1 and '1 song' or (count .. ' songs') end
-- A write for a station's owner carries its lease (worker, token); '' marks a write with no owner
-- (an admin, a test). A worker whose lease ended, or passed to another, writes nothing.
local function check_fence(lease_key, worker, token)
  if worker == '' then return end
  local held = redis.call('HMGET', lease_key, 'worker', 'token')
  if held[1] ~= worker or held[2] ~= token then fail('FENCED', 'the lease was lost: another worker may play the station now') end
end
local function publish(channel, event) redis.call('PUBLISH', channel, cjson.encode(event)) end

-- Lua's unpack() is limited by the C stack (LUAI_MAXCSTACK 8000): push long lists in chunks.
local CHUNK = 1000
local function push_all(command, key, items)
  local i = 1
  while i <= #items do
    local j = math.min(i + CHUNK - 1, #items)
    redis.call(command, key, unpack(items, i, j))
    i = j + 1
  end
end

local function replace_list(key, items)
  redis.call('DEL', key)
  push_all('RPUSH', key, items)
end

local function argv_from(first)
  local out = {}
  for i = first, #ARGV do out[#out + 1] = ARGV[i] end
  return out
end

-- Park-Miller minimal standard generator: exact in Lua's doubles (16807 * 2^31 < 2^53) and
-- seeded from the caller, so shuffles are reproducible in tests and a peek sees what a take will do.
local function make_rng(seed)
  local state = math.floor(tonumber(seed) or 1) % 2147483647
  if state <= 0 then state = state + 2147483646 end
  local rng = {}
  function rng.next(n)
    state = (state * 16807) % 2147483647
    return (state % n) + 1
  end
  function rng.seed() return state end
  return rng
end

local function shuffle_in_place(items, rng)
  for i = #items, 2, -1 do
    local j = rng.next(i)
    items[i], items[j] = items[j], items[i]
  end
end
`;
