-- job-update-if-locked: writes a BullMQ job's data only while the given token holds its lock.
-- Writes into BullMQ's own job hash: see bullmq-job.ts and its layout test.
-- KEYS[1] job lock (<job key>:lock)  KEYS[2] job hash
-- ARGV[1] lock token  ARGV[2] data JSON
-- Returns 1 when written, 0 when the lock is another's or the job is gone.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'data', ARGV[2])
return 1
