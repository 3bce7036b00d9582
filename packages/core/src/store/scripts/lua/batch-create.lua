-- batch-create: creates a batch record with every row queued, unless it exists.
-- KEYS[1] meta  KEYS[2] counts  KEYS[3] the index of batches (sorted set by creation time)
-- ARGV[1] ttl (s)  ARGV[2] total  ARGV[3..] meta field/value pairs (with id and created_at)
-- Returns 1 when created, 0 when it existed (nothing changed).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[2], 'queued', ARGV[2], 'paused', 0, 'generating', 0, 'completed', 0, 'failed', 0, 'cancelled', 0, 'cost_micro_usd', 0)
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
local id, created = nil, nil
for i = 3, #ARGV - 1, 2 do
  if ARGV[i] == 'id' then id = ARGV[i + 1] elseif ARGV[i] == 'created_at' then created = ARGV[i + 1] end
end
if id and created then redis.call('ZADD', KEYS[3], created, id) end
return 1
