-- spend-settle: what a job's reservation becomes once more is known, exactly once per change.
-- KEYS[1] the job's reservation hash  KEYS[2] the day's spend hash it was made in (KEYS[1] again: none)
-- KEYS[3] the batch's meta hash (KEYS[1] again: none)
-- ARGV[1] 'actual' or 'release'  ARGV[2] the actual cost (micro-USD; 'actual' only)
-- 'actual': the provider reported the charge: a reserved estimate is replaced by it (reserved down,
--   spent up); an already settled one moves by the difference if the provider reported another figure.
-- 'release': a certain failure (the provider failed the generation, or nothing was ever sent): what the
--   job holds, its estimate or its actual cost, is given back. Failed generations are never billed.
-- Returns the reservation's state afterwards ('' when the job holds none).
-- An absent key travels as KEYS[1], never as '': '' hashes to slot 0, which Redis Cluster refuses (CROSSSLOT).
local dayKey = KEYS[2] ~= KEYS[1] and KEYS[2] or nil
local batchKey = KEYS[3] ~= KEYS[1] and KEYS[3] or nil
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return '' end
if state == 'released' then return state end
local amount = tonumber(redis.call('HGET', KEYS[1], 'amount') or '0')
local actual = tonumber(redis.call('HGET', KEYS[1], 'actual') or '') or 0
local batch = batchKey and redis.call('EXISTS', batchKey) == 1
local function move(field, delta)
  if delta == 0 then return end
  if dayKey and redis.call('EXISTS', dayKey) == 1 then redis.call('HINCRBY', dayKey, field, delta) end
  if batch then redis.call('HINCRBY', batchKey, field .. '_micro_usd', delta) end
end
if ARGV[1] == 'actual' then
  local new = tonumber(ARGV[2])
  if state == 'reserved' then
    move('reserved', -amount)
    move('spent', new)
  else
    move('spent', new - actual)
  end
  redis.call('HSET', KEYS[1], 'state', 'settled', 'actual', new)
  return 'settled'
end
if state == 'reserved' then move('reserved', -amount) else move('spent', -actual) end
redis.call('HSET', KEYS[1], 'state', 'released')
return 'released'
