-- batch-retry-rows: failed rows go back to queued, each with its attempt raised by one. What the row's
-- attempts so far leave (`retryCarry`: generation ids, the possible-duplicate flag, known charges) is
-- kept in `<row>:prior`; a row flagged for the first time is counted in `possible_duplicates`.
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] now (ms)  ARGV[2] ttl (s)  ARGV[3..] triples: row, carry JSON ('' for none), '1' to flag it
-- Returns { row, attempt, row, attempt, ... } for the rows moved (a row retried by a concurrent
-- request is not moved twice).
-- Publishes `<row> <status>` (or `* <what>` for many rows) to the batch's events channel
-- (KEYS[1] with `:meta` replaced by `:events`; a channel, not a key) when something changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local TTL = ARGV[2]
-- Keys' lifetime: none while the batch is fully enqueued and a row is still open (a batch record never
-- expires under rows that are still running, however long they wait); BATCH_TTL_SECONDS from when it
-- finished; and, before it is fully enqueued, from its last change (an upload abandoned midway expires).
local function keep(open)
  if open > 0 and redis.call('HEXISTS', KEYS[1], 'enqueued_at') == 1 then
    for i = 1, 6 do redis.call('PERSIST', KEYS[i]) end
  else
    for i = 1, 6 do redis.call('EXPIRE', KEYS[i], TTL) end
  end
end
local moved = {}
for i = 3, #ARGV, 3 do
  local row = ARGV[i]
  if redis.call('HGET', KEYS[3], row) == 'failed' then
    local attempt = redis.call('HINCRBY', KEYS[5], row, 1)
    redis.call('HSET', KEYS[3], row, 'queued')
    redis.call('HDEL', KEYS[4], row)
    if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[4], row .. ':prior', ARGV[i + 1]) end
    if ARGV[i + 2] == '1' and redis.call('HSETNX', KEYS[4], row .. ':dup', '1') == 1 then
      redis.call('HINCRBY', KEYS[2], 'possible_duplicates', 1)
    end
    redis.call('HINCRBY', KEYS[2], 'failed', -1)
    redis.call('HINCRBY', KEYS[2], 'queued', 1)
    moved[#moved + 1] = tonumber(row)
    moved[#moved + 1] = attempt
  end
end
if #moved > 0 then
  redis.call('HDEL', KEYS[1], 'finished_at', 'cancelled_at')
  keep(1)
  redis.call('PUBLISH', string.gsub(KEYS[1], ':meta$', ':events'), '* retried')
end
return moved
