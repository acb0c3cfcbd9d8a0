-- wrk's side of bench/writes/run.ts: card writes from every connection of one thread, for wrk's -d.
-- The cards and how many writes each has had come from a file (argument 1, one "id count" a line), so the walk
-- goes on where the warm-up left it: a card's writes go lock, unlock, limits, lock, … so every one is legal,
-- and the cards are taken in turn, so a card comes back only after every other card's write was sent.
-- Argument 1 "-" sends the script's URL path as it is (the GET /healthz ceiling).
-- wrk takes each answer's time before calling response(), so the checks here cost the measurement nothing.
-- Prints one JSON line; times in microseconds.

local ids, counts = {}, {}
local next_card = 0
local json_headers
local limit = 900
-- Globals, not locals: done() reads them from the thread's environment with thread:get().
answers, wrong_status, wrong = 0, 0, nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- wrk.format replaces wrk.headers (the authorization of -H) with the headers it is given: a copy, then.
  json_headers = { ["content-type"] = "application/json" }
  for name, value in pairs(wrk.headers) do json_headers[name] = value end
  if args[1] == "-" then return end
  for line in io.lines(args[1]) do
    local id, count = line:match("^(%S+) (%d+)$")
    table.insert(ids, id)
    table.insert(counts, tonumber(count))
  end
end

-- wrk (4.x) calls request() once before it starts, to check what it returns (script_verify_request), and
-- never sends that one: it must not count as a card's write, or that card's walk would be one step ahead.
local verified = false

function request()
  if #ids == 0 then return wrk.format() end
  if not verified then
    verified = true
    return wrk.format("PUT", "/v2/cards/" .. ids[1] .. "/lock")
  end
  next_card = next_card % #ids + 1
  local step = counts[next_card] % 3
  counts[next_card] = counts[next_card] + 1
  local path = "/v2/cards/" .. ids[next_card]
  if step == 0 then return wrk.format("PUT", path .. "/lock") end
  if step == 1 then return wrk.format("PUT", path .. "/unlock") end
  limit = limit % 1000 + 1
  return wrk.format("PATCH", path .. "/limits", json_headers, '{"card":{"payment_monthly_limit":' .. limit .. '}}')
end

function response(status, headers, body)
  answers = answers + 1
  if status ~= 200 then
    wrong_status = wrong_status + 1
    wrong = wrong or (status .. " " .. body:sub(1, 200))
  end
end

-- A JSON string: quotes and backslashes escaped, control characters turned into spaces.
local function json_string(text)
  return '"' .. text:gsub('[%c]', ' '):gsub('[\\"]', '\\%0') .. '"'
end

function done(summary, latency, requests)
  local t = threads[1]
  local w = t:get("wrong")
  io.write(string.format('{"n":%d,"seconds":%f,"p50":%d,"p90":%d,"p99":%d,"max":%d,"non200":%d,"errors":%d,"wrong":%s}\n',
    t:get("answers"), summary.duration / 1e6, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    t:get("wrong_status"),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    w and json_string(w) or "null"))
end
