-- batch-scan-rows: which rows of a span match a filter, without sending their data back. Used to page
-- through a batch by status and by text (GET /v1/batches/:id/rows) one span at a time.
-- KEYS[1] status  KEYS[2] input
-- ARGV[1] first row  ARGV[2] last row  ARGV[3] status ('' = any)  ARGV[4] text, lower-case ('' = any)
-- Returns the matching rows in order. A row without an input (skipped at upload) never matches; a row
-- without a status is queued. The text is looked for as plain text, ASCII case-insensitively, in the
-- row's prompt and custom id.
local want, text = ARGV[3], ARGV[4]
local out = {}
for row = tonumber(ARGV[1]), tonumber(ARGV[2]) do
  local field = tostring(row)
  local st = redis.call('HGET', KEYS[1], field)
  local ok
  if st then
    ok = (want == '' or st == want)
  else
    ok = (want == '' or want == 'queued') and redis.call('HEXISTS', KEYS[2], field) == 1
  end
  if ok and text ~= '' then
    local raw = redis.call('HGET', KEYS[2], field)
    ok = false
    if raw then
      local input = cjson.decode(raw)
      local prompt = type(input.input) == 'table' and input.input.prompt or ''
      local custom = input.customId
      if type(prompt) ~= 'string' then prompt = '' end
      if type(custom) ~= 'string' then custom = '' end
      ok = string.find(string.lower(prompt), text, 1, true) ~= nil
        or string.find(string.lower(custom), text, 1, true) ~= nil
    end
  end
  if ok then out[#out + 1] = row end
end
return out
