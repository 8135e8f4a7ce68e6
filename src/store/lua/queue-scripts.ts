import { LuaScript } from './script.js';

/*
 * Per-station queue ("play next"). KEYS[1] station names, KEYS[2] the queue list;
 * ARGV[1] channel, ARGV[2] station name, then per script. Publishes `queue-changed`.
 */
const REQUIRE_STATION = `
local channel, station = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[1], station) == 0 then
  fail('NOTFOUND', 'station ' .. quote(station) .. ' does not exist')
end
local length = redis.call('LLEN', KEYS[2])
local function require_room(limit, adding)
  if length + adding > limit then
    fail('INVALID', 'the queue of ' .. quote(station) .. ' would hold ' .. songs(length + adding) ..
      ', more than the limit of ' .. limit)
  end
end
`;

/** ARGV[3] limit, ARGV[4] 'tail' | 'head', ARGV[5] now (0/1), ARGV[6..] refs in play order → new length. */
export const enqueueScript = new LuaScript(
  'queue-add',
  `${REQUIRE_STATION}
local refs = argv_from(6)
require_room(tonumber(ARGV[3]), #refs)
if ARGV[4] == 'head' then
  -- LPUSH reverses, so push the last first: the first given ref plays first.
  local reversed = {}
  for i = #refs, 1, -1 do reversed[#reversed + 1] = refs[i] end
  push_all('LPUSH', KEYS[2], reversed)
else
  push_all('RPUSH', KEYS[2], refs)
end
publish(channel, { type = 'queue-changed', station = station, now = ARGV[5] == '1' })
return length + #refs
`,
);

/** ARGV[3..] 1-based positions → how many entries were removed. */
export const dequeueScript = new LuaScript(
  'queue-delete',
  `${REQUIRE_STATION}
local positions = argv_from(3)
for _, text in ipairs(positions) do
  local position = tonumber(text)
  if position < 1 or position > length then
    fail('NOTFOUND', 'position ' .. position .. ' is out of range: the queue of ' .. quote(station) .. ' has ' .. songs(length))
  end
end
local marker = '\\001deleted'
for _, text in ipairs(positions) do redis.call('LSET', KEYS[2], tonumber(text) - 1, marker) end
local removed = redis.call('LREM', KEYS[2], 0, marker)
publish(channel, { type = 'queue-changed', station = station })
return removed
`,
);

export const clearQueueScript = new LuaScript(
  'queue-clear',
  `${REQUIRE_STATION}
redis.call('DEL', KEYS[2])
publish(channel, { type = 'queue-changed', station = station })
return length
`,
);
