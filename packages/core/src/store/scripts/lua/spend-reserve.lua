-- spend-reserve: before a create call, reserves the job's estimated cost against every cap that applies,
-- atomically, so that however many workers submit at once the provider is never asked for more than a
-- cap allows. What counts against a cap is what is committed under it: reservations not yet settled, plus
-- actual costs once known (spend-settle). Nothing is reserved anywhere unless every cap lets it pass.
-- KEYS[1] the job's reservation hash  KEYS[2] the UTC day's spend hash (KEYS[1] again without a daily limit)
-- KEYS[3] the batch's meta hash (KEYS[1] again for a video without a batch)
-- ARGV[1] amount (micro-USD)  ARGV[2] daily limit (micro-USD; ignored without KEYS[2])  ARGV[3] the day
-- ARGV[4] ttl of the day's hash (s)  ARGV[5] ttl of the reservation (s)  ARGV[6] batch id ('' none)
-- Returns {'held'} when the job already holds a reservation (a re-run after a crash or a retry),
-- {'reserved'} when it now holds one, or {'over', cap ('daily'|'batch'), limit, committed} when a cap
-- refuses it (nothing changed).
-- An absent key travels as KEYS[1], never as '': '' hashes to slot 0, which Redis Cluster refuses (CROSSSLOT).
local dayKey = KEYS[2] ~= KEYS[1] and KEYS[2] or nil
local batchKey = KEYS[3] ~= KEYS[1] and KEYS[3] or nil
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'reserved' or state == 'settled' then return {'held'} end
local amount = tonumber(ARGV[1])
local function committed(key, reserved, spent)
  return tonumber(redis.call('HGET', key, reserved) or '0') + tonumber(redis.call('HGET', key, spent) or '0')
end
if dayKey then
  local limit = tonumber(ARGV[2])
  local used = committed(dayKey, 'reserved', 'spent')
  if used + amount > limit then return {'over', 'daily', tostring(limit), tostring(used)} end
end
local batch = batchKey and redis.call('EXISTS', batchKey) == 1
if batch then
  local max = redis.call('HGET', batchKey, 'max_cost_micro_usd')
  if max then
    local used = committed(batchKey, 'reserved_micro_usd', 'spent_micro_usd')
    if used + amount > tonumber(max) then return {'over', 'batch', max, tostring(used)} end
  end
end
if dayKey then
  redis.call('HINCRBY', dayKey, 'reserved', amount)
  redis.call('EXPIRE', dayKey, ARGV[4])
end
if batch then redis.call('HINCRBY', batchKey, 'reserved_micro_usd', amount) end
redis.call('HSET', KEYS[1], 'state', 'reserved', 'amount', amount, 'actual', '', 'day', ARGV[3], 'batch', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {'reserved'}
