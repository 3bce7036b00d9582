-- batch-cancel-rows: marks the batch cancelled and moves each given row that is still queued or
-- paused (never submitted) to cancelled. Rows a worker already took keep their status: the worker cancels them
-- through the cancel key.
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] now (ms)  ARGV[2] ttl (s)  ARGV[3] outcome JSON  ARGV[4..] rows
-- Returns how many rows moved.
-- Publishes `<row> <status>` (or `* <what>` for many rows) to the batch's events channel
-- (KEYS[1] with `:meta` replaced by `:events`; a channel, not a key) when something changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
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
redis.call('HSETNX', KEYS[1], 'cancelled_at', ARGV[1])
local n = 0
for i = 4, #ARGV do
  local row = ARGV[i]
  local cur = redis.call('HGET', KEYS[3], row) or 'queued'
  if redis.call('HEXISTS', KEYS[6], row) == 1 and (cur == 'queued' or cur == 'paused') then
    redis.call('HSET', KEYS[3], row, 'cancelled')
    redis.call('HSET', KEYS[4], row, ARGV[3])
    redis.call('HINCRBY', KEYS[2], cur, -1)
    redis.call('HINCRBY', KEYS[2], 'cancelled', 1)
    n = n + 1
  end
end
local open = tonumber(redis.call('HGET', KEYS[2], 'queued') or '0') + tonumber(redis.call('HGET', KEYS[2], 'generating') or '0')
  + tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
if open == 0 then redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[1]) end
keep(open)
redis.call('PUBLISH', string.gsub(KEYS[1], ':meta$', ':events'), '* cancelled')
return n
