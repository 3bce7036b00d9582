-- batch-set-row: one row of a batch changes status (counts move together).
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] row  ARGV[2] new status  ARGV[3] attempt of the reporting job
-- ARGV[4] outcome JSON ('' keeps the stored one)  ARGV[5] cost (micro-USD)  ARGV[6] now (ms)  ARGV[7] ttl (s)
-- Returns { changed (0/1), previous status }. A completed row stays completed; a report from another
-- attempt than the row's current one (a late hook of a retried job) changes nothing; only a queued row
-- can become paused. The batch is finished when no row is queued, paused or generating.
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'missing'} end
local row = ARGV[1]
if redis.call('HEXISTS', KEYS[6], row) == 0 then return {0, 'missing'} end
local cur = redis.call('HGET', KEYS[3], row) or 'queued'
local attempt = tonumber(redis.call('HGET', KEYS[5], row) or '0')
if tonumber(ARGV[3]) ~= attempt or cur == 'completed' then return {0, cur} end
local new = ARGV[2]
-- Only a row not yet submitted can wait for a cap (a cancel may have moved it on meanwhile).
if new == 'paused' and cur ~= 'queued' and cur ~= 'paused' then return {0, cur} end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], row, ARGV[4]) end
if new == cur then return {0, cur} end
redis.call('HINCRBY', KEYS[2], cur, -1)
redis.call('HINCRBY', KEYS[2], new, 1)
redis.call('HSET', KEYS[3], row, new)
local cost = tonumber(ARGV[5])
if new == 'completed' and cost > 0 then redis.call('HINCRBY', KEYS[2], 'cost_micro_usd', cost) end
local open = tonumber(redis.call('HGET', KEYS[2], 'queued') or '0') + tonumber(redis.call('HGET', KEYS[2], 'generating') or '0')
  + tonumber(redis.call('HGET', KEYS[2], 'paused') or '0')
if open == 0 then redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[6]) else redis.call('HDEL', KEYS[1], 'finished_at') end
for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
return {1, cur}
