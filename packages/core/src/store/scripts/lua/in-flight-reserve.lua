-- in-flight-reserve: reserve (or refresh) a job's slot in the in-flight set unless the set is full.
-- KEYS[1] the in-flight sorted set (job id scored by when its entry expires)
-- ARGV[1] now (ms)  ARGV[2] expires at (ms)  ARGV[3] max entries  ARGV[4] job id
-- Returns 1 when the job holds a slot, 0 when the set is full.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[4])
if (not held) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
local ttl = tonumber(ARGV[2]) - tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
