-- logs-seen-add: remembers usage-log rows a worker has read, so other workers' unknown-outcome lookups
-- find them without a provider call. One hash per period of request times (vidqKeys(prefix).logsSeen).
-- KEYS[1] the period's hash
-- ARGV[1] TTL of the hash (ms)  ARGV[2..] pairs: client request id, row JSON
-- Returns the number of fields written. The TTL is renewed on every write.
local n = 0
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  n = n + 1
end
if n > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
