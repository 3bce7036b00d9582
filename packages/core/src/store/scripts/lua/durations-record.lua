-- durations-record: LPUSH + LTRIM of learned generation times, in one script.
-- KEYS[1] the samples list
-- ARGV[1] last index kept  ARGV[2..] the samples, oldest first
-- Returns 1.
redis.call('LPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]))
return 1
