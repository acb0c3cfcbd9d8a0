-- wrk's side of bench/list/latency.ts: one connection, one request at a time, stopped after `count` answers.
-- wrk takes each answer's time before calling response(), so the checks here cost the measurement nothing.
-- wrk's main thread sleeps for the whole duration even after the only thread stopped, so the thread says
-- "stopped" on stdout and latency.ts interrupts wrk (SIGINT), which then prints what done() writes.
-- Arguments (after `--`): count, expected total_count (-1: unchecked), expected body length (-1: unchecked),
-- first page of a walk (-1: the same path every time). Prints one JSON line; times in microseconds.

local count, total, length, walk_from
-- Globals, not locals: done() reads them from the thread's environment with thread:get().
n, wrong = 0, nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  count, total, length, walk_from = tonumber(args[1]), tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
end

local function page()
  return walk_from + n
end

function request()
  if walk_from < 0 then return wrk.format() end
  return wrk.format(nil, (wrk.path:gsub("([?&]page=)%d+", "%1" .. page())))
end

local function check(status, body)
  if status ~= 200 then return "status " .. status .. ": " .. body:sub(1, 200) end
  if total >= 0 and not body:find('"total_count":' .. total .. ',', 1, true) then return "total_count is not " .. total end
  if walk_from >= 0 and not body:find('"current_page":' .. page() .. ',', 1, true) then return "current_page is not " .. page() end
  if length >= 0 and #body ~= length then return #body .. " bytes, where the page checked in full had " .. length end
  return nil
end

function response(status, headers, body)
  wrong = wrong or check(status, body)
  n = n + 1
  if n == count then
    wrk.thread:stop()
    io.write("stopped\n")
    io.flush()
  end
end

-- A JSON string: quotes and backslashes escaped, control characters (an HTML error page's line feeds) dropped.
local function json_string(text)
  return '"' .. text:gsub('[%c]', ' '):gsub('[\\"]', '\\%0') .. '"'
end

function done(summary, latency, requests)
  local t = threads[1]
  local w = t:get("wrong")
  io.write(string.format('{"n":%d,"p50":%d,"p99":%d,"max":%d,"errors":%d,"wrong":%s}\n',
    t:get("n"), latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    w and json_string(w) or "null"))
end
