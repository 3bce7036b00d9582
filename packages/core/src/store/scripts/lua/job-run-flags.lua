-- job-run-flags: the shared flags a worker run obeys, read in one round trip, and for a pending job
-- whose create needs no budget decision also its `submitting` claim (lock-guarded data write).
-- Writes into BullMQ's own job hash: see bullmq-job.ts and its layout test.
-- KEYS[1] cancel flag  KEYS[2] account pause hash  KEYS[3] back-off key
-- KEYS[4] job lock  KEYS[5] job hash (for the claim)  KEYS[6] the model's block
-- ARGV[1] lock token  ARGV[2] the `submitting` data JSON to write
-- ARGV[3] one character per key, '1' where the key is skipped (KEYS[2], [3], [5], [6]): a skipped key
-- is passed as KEYS[1], never '', so that every key stays in the prefix's cluster slot.
-- Returns { cancel exists, pause HGETALL (flat), pause PTTL, back-off PTTL (-2 when absent or skipped),
-- 1 when the data was written, model block PTTL (-2 when absent or skipped), model block reason ('' when none) }.
-- The claim is made only when nothing holds the create back.
-- One EXISTS over every flag read first: on the hot path none is set, and nothing else is read.
local function used(i) return string.sub(ARGV[3], i, i) ~= '1' end
local flagKeys = {KEYS[1]}
if used(2) then flagKeys[#flagKeys + 1] = KEYS[2] end
if used(3) then flagKeys[#flagKeys + 1] = KEYS[3] end
if used(6) then flagKeys[#flagKeys + 1] = KEYS[6] end
local cancelled, fields, pttl, backoff, block, reason = 0, {}, -2, -2, -2, ''
if redis.call('EXISTS', unpack(flagKeys)) > 0 then
  cancelled = redis.call('EXISTS', KEYS[1])
  if used(2) then
    fields = redis.call('HGETALL', KEYS[2])
    if #fields > 0 then pttl = redis.call('PTTL', KEYS[2]) end
  end
  if used(3) then backoff = redis.call('PTTL', KEYS[3]) end
  if used(6) then
    block = redis.call('PTTL', KEYS[6])
    if block ~= -2 then reason = redis.call('GET', KEYS[6]) or '' end
  end
end
local claimed = 0
if used(5) and cancelled == 0 and (#fields == 0 or pttl == -2) and backoff <= 0 and block == -2
  and redis.call('GET', KEYS[4]) == ARGV[1] and redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('HSET', KEYS[5], 'data', ARGV[2])
  claimed = 1
end
return {cancelled, fields, pttl, backoff, claimed, block, reason}
