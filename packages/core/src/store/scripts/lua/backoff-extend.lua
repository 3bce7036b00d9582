-- backoff-extend: set a back-off key unless it already lasts longer.
-- KEYS[1] the back-off key
-- ARGV[1] ttl (ms)  ARGV[2] value (why)
-- Returns 1.
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
end
return 1
