-- batch-set-row: one row of a batch changes status (counts move together).
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] row  ARGV[2] new status  ARGV[3] attempt of the reporting job
-- ARGV[4] outcome JSON ('' keeps the stored one)  ARGV[5] cost (micro-USD)  ARGV[6] now (ms)  ARGV[7] ttl (s)
-- ARGV[8] the generation the cost is for ('' when unknown)  ARGV[9] '1' when the row may be a duplicate
-- Returns { changed (0/1), previous status }. A completed row stays completed; a report from another
-- attempt than the row's current one (a late hook of a retried job) changes nothing; only a queued row
-- can become paused. A possible-duplicate flag is set once (`<row>:dup`) and counted once
-- (`possible_duplicates`); a cost is added when the row reaches a final status, once per generation
-- (`<row>:cost:<generation>`), so replays and a job retried from the dashboard never count a charge twice.
-- The batch is finished when no row is queued, paused or generating.
-- Publishes `<row> <status>` (or `* <what>` for many rows) to the batch's events channel
-- (KEYS[1] with `:meta` replaced by `:events`; a channel, not a key) when something changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'missing'} end
local TTL = ARGV[7]
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
local row = ARGV[1]
if redis.call('HEXISTS', KEYS[6], row) == 0 then return {0, 'missing'} end
local cur = redis.call('HGET', KEYS[3], row) or 'queued'
local attempt = tonumber(redis.call('HGET', KEYS[5], row) or '0')
if tonumber(ARGV[3]) ~= attempt or cur == 'completed' then return {0, cur} end
local new = ARGV[2]
-- Only a row not yet submitted can wait for a cap (a cancel may have moved it on meanwhile).
if new == 'paused' and cur ~= 'queued' and cur ~= 'paused' then return {0, cur} end
local channel = string.gsub(KEYS[1], ':meta$', ':events')
-- Open rows: queued, paused (waiting for a cap) or generating.
local function open_rows()
  return tonumber(redis.call('HGET', KEYS[2], 'queued') or '0') + tonumber(redis.call('HGET', KEYS[2], 'generating') or '0')
    + tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], row, ARGV[4]) end
if ARGV[9] == '1' and redis.call('HSETNX', KEYS[4], row .. ':dup', '1') == 1 then
  redis.call('HINCRBY', KEYS[2], 'possible_duplicates', 1)
end
if new == cur then
  keep(open_rows())
  if ARGV[4] ~= '' then redis.call('PUBLISH', channel, row .. ' ' .. cur) end
  return {0, cur}
end
redis.call('HINCRBY', KEYS[2], cur, -1)
redis.call('HINCRBY', KEYS[2], new, 1)
redis.call('HSET', KEYS[3], row, new)
local cost = tonumber(ARGV[5])
if cost > 0 and (new == 'completed' or new == 'failed' or new == 'cancelled') then
  if ARGV[8] == '' or redis.call('HSETNX', KEYS[4], row .. ':cost:' .. ARGV[8], cost) == 1 then
    redis.call('HINCRBY', KEYS[2], 'cost_micro_usd', cost)
  end
end
local open = open_rows()
if open == 0 then redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[6]) else redis.call('HDEL', KEYS[1], 'finished_at') end
keep(open)
redis.call('PUBLISH', channel, row .. ' ' .. new)
return {1, cur}
