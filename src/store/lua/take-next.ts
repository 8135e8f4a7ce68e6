import { LuaScript } from './script.js';

/**
 * Picks what plays next, or with ARGV[2] = 'peek' computes the same without writing anything.
 *
 * KEYS: [1] station hash, [2] queue, [3] cursor hash (index, ref, seed), [4] shuffle order,
 *       [5] shuffle played, [6] recent refs (newest first), [7] the station's lease
 * ARGV: [1] playlist key prefix, [2] 'take' | 'peek', [3] how many songs, [4] seed for a station that
 *       has none yet, [5] no-repeat window N, [6] station name (for messages), [7] worker and [8] token
 *       of the taker's lease ('' for none; a take by a worker that lost its lease fails, see check_fence)
 * Returns a flat array ref, source, position (1-based), ... ; empty when nothing is left to play.
 *
 * Order mode keeps the index AND ref of the entry last handed out. Before advancing it checks that the
 * entry is still at that index; if an edit moved it, it finds the ref nearest the index; if the entry was
 * deleted, the song that slid into its place plays next. So an edit applies from the very next song.
 *
 * Shuffle mode plays each entry once per round. The planned order of the round is stored (so a peek can
 * show it); before each pick it is reconciled with the playlist: removed songs leave it, added songs are
 * merged in at random places. The pick is the first planned song that is not among the last N refs
 * handed out; with more than N distinct songs such a song always exists, so no song repeats within N
 * plays across a round boundary.
 */
export const takeNextScript = new LuaScript(
  'take-next',
  `
local station = redis.call('HMGET', KEYS[1], 'playlist', 'mode', 'repeat')
if not station[1] then fail('NOTFOUND', 'station ' .. quote(ARGV[6]) .. ' does not exist') end
local playlist = redis.call('LRANGE', ARGV[1] .. station[1], 0, -1)
local shuffle = station[2] == 'shuffle'
local repeat_on = station[3] == '1'
local take = ARGV[2] == 'take'
if take then check_fence(KEYS[7], ARGV[7], ARGV[8]) end
local count = tonumber(ARGV[3])
local window = tonumber(ARGV[5])

local cursor = redis.call('HMGET', KEYS[3], 'index', 'ref', 'seed')
local index = tonumber(cursor[1]) or -1
local current = cursor[2] or ''
local rng = make_rng(cursor[3] or ARGV[4])
local order = shuffle and redis.call('LRANGE', KEYS[4], 0, -1) or {}
local played = shuffle and redis.call('LRANGE', KEYS[5], 0, -1) or {}
local recent = redis.call('LRANGE', KEYS[6], 0, window - 1)
local queue = take and {} or redis.call('LRANGE', KEYS[2], 0, count - 1)

local distinct = 0
do
  local seen = {}
  for _, ref in ipairs(playlist) do
    if not seen[ref] then seen[ref] = true; distinct = distinct + 1 end
  end
end

local function remember(ref)
  table.insert(recent, 1, ref)
  while #recent > window do table.remove(recent) end
end

local function is_recent(ref)
  for i = 1, #recent do if recent[i] == ref then return true end end
  return false
end

local function step_order()
  local n = #playlist
  if n == 0 then return nil end
  local next_index
  if index < 0 then
    next_index = 0
  elseif playlist[index + 1] == current then
    next_index = index + 1
  else
    local found = nil
    for d = 1, n + index do
      local before, after = index - d, index + d
      if before < 0 and after >= n then break end
      if before >= 0 and before < n and playlist[before + 1] == current then found = before; break end
      if after < n and playlist[after + 1] == current then found = after; break end
    end
    next_index = found and found + 1 or index
  end
  if next_index >= n then
    if not repeat_on then return nil end
    next_index = 0
  end
  return next_index
end

local function counts_left()
  local left = {}
  for _, ref in ipairs(playlist) do left[ref] = (left[ref] or 0) + 1 end
  for _, ref in ipairs(played) do
    if left[ref] and left[ref] > 0 then left[ref] = left[ref] - 1 end
  end
  return left
end

-- Brings the planned order in line with the playlist as it is now.
local function reconcile()
  local left = counts_left()
  local kept, fresh = {}, {}
  for _, ref in ipairs(order) do
    if left[ref] and left[ref] > 0 then kept[#kept + 1] = ref; left[ref] = left[ref] - 1 end
  end
  for _, ref in ipairs(playlist) do
    if left[ref] and left[ref] > 0 then fresh[#fresh + 1] = ref; left[ref] = left[ref] - 1 end
  end
  if #fresh == 0 then order = kept; return end
  if #kept == 0 then shuffle_in_place(fresh, rng); order = fresh; return end
  local slots = {}
  for i = 1, #fresh do slots[i] = { rng.next(#kept + 1), i } end
  table.sort(slots, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local merged, s = {}, 1
  for k = 1, #kept + 1 do
    while s <= #slots and slots[s][1] == k do merged[#merged + 1] = fresh[slots[s][2]]; s = s + 1 end
    if k <= #kept then merged[#merged + 1] = kept[k] end
  end
  order = merged
end

local function step_shuffle()
  if #playlist == 0 then return nil end
  reconcile()
  if #order == 0 then
    if not repeat_on then return nil end
    played = {}
    reconcile()
  end
  local pick = 1
  if distinct > window then
    for i = 1, #order do
      if not is_recent(order[i]) then pick = i; break end
    end
  end
  local ref = table.remove(order, pick)
  played[#played + 1] = ref
  for i = 1, #playlist do
    if playlist[i] == ref then return i - 1 end
  end
  return nil
end

local results = {}
local queue_position = 0
for _ = 1, count do
  local ref, source, position = nil, nil, nil
  if take then
    local head = redis.call('LPOP', KEYS[2])
    if head then ref, source, position = head, 'queue', 1 end
  elseif queue_position < #queue then
    queue_position = queue_position + 1
    ref, source, position = queue[queue_position], 'queue', queue_position
  end
  if not ref then
    local next_index
    if shuffle then next_index = step_shuffle() else next_index = step_order() end
    if next_index == nil then break end
    index, current = next_index, playlist[next_index + 1]
    ref, source, position = current, 'playlist', next_index + 1
  end
  remember(ref)
  results[#results + 1] = ref
  results[#results + 1] = source
  results[#results + 1] = position
end

if take then
  redis.call('HSET', KEYS[3], 'index', index, 'ref', current, 'seed', rng.seed())
  if shuffle then
    replace_list(KEYS[4], order)
    replace_list(KEYS[5], played)
  end
  replace_list(KEYS[6], recent)
end
return results
`,
);
