-- batch-mark-enqueued: records that every row of the batch is in the queue (and its metadata columns).
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] now (ms)  ARGV[2] ttl (s)  ARGV[3] columns JSON
-- Returns 1, or 0 when the batch does not exist (nothing written).
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
redis.call('HSET', KEYS[1], 'enqueued_at', ARGV[1], 'columns', ARGV[3])
local open = tonumber(redis.call('HGET', KEYS[2], 'queued') or '0') + tonumber(redis.call('HGET', KEYS[2], 'generating') or '0')
  + tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
keep(open)
return 1
