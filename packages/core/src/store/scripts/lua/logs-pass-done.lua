-- logs-pass-done: records that a whole usage-log pass over one window started at a given time, keeping
-- only the latest (an older pass that finished last must not hide a newer one).
-- KEYS[1] the window's `done` key (vidqKeys(prefix).logsPass(window).done)
-- ARGV[1] when the pass started (epoch ms)  ARGV[2] TTL (ms)
-- Returns 1 when recorded, 0 when a later pass was already there.
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
