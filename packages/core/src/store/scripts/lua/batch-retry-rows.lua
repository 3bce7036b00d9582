-- batch-retry-rows: failed rows go back to queued, each with its attempt raised by one.
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] status  KEYS[4] result  KEYS[5] attempt  KEYS[6] input
-- ARGV[1] now (ms)  ARGV[2] ttl (s)  ARGV[3..] rows
-- Returns { row, attempt, row, attempt, ... } for the rows moved (a row retried by a concurrent
-- request is not moved twice).
-- Publishes `<row> <status>` (or `* <what>` for many rows) to the batch's events channel
-- (KEYS[1] with `:meta` replaced by `:events`; a channel, not a key) when something changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local moved = {}
for i = 3, #ARGV do
  local row = ARGV[i]
  if redis.call('HGET', KEYS[3], row) == 'failed' then
    local attempt = redis.call('HINCRBY', KEYS[5], row, 1)
    redis.call('HSET', KEYS[3], row, 'queued')
    redis.call('HDEL', KEYS[4], row)
    redis.call('HINCRBY', KEYS[2], 'failed', -1)
    redis.call('HINCRBY', KEYS[2], 'queued', 1)
    moved[#moved + 1] = tonumber(row)
    moved[#moved + 1] = attempt
  end
end
if #moved > 0 then
  redis.call('HDEL', KEYS[1], 'finished_at', 'cancelled_at')
  for i = 1, 6 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
  redis.call('PUBLISH', string.gsub(KEYS[1], ':meta$', ':events'), '* retried')
end
return moved
