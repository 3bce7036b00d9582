-- job-update-and-log: BullMQ's updateData then (when a line is given) addLog, in one script.
-- Writes into BullMQ's own job hash and log list: see bullmq-job.ts and its layout test.
-- KEYS[1] job hash  KEYS[2] job logs (<job key>:logs)
-- ARGV[1] data JSON  ARGV[2] log line ('' writes none: the job keeps no log list for routine steps)
-- ARGV[3] keepLogs ('' keeps all)
-- ARGV[4] priority ('' leaves it): the hash field BullMQ reads when it takes the job out of the
--         delayed set (0: the wait list, taken before any prioritized job); only while it is active.
-- Returns 0, or -1 when the job is gone (nothing written).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[4] ~= nil and ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'data', ARGV[1], 'priority', ARGV[4])
else
  redis.call('HSET', KEYS[1], 'data', ARGV[1])
end
if ARGV[2] == '' then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1) end
return 0
