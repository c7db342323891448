-- wrk script of the benchmark: POST the same Power BI body on every request, then write what was
-- measured as JSON for benchmarks/run.py.
--
--   BENCH_BODY=body.json BENCH_OUT=result.json wrk -s benchmarks/wrk/post.lua http://127.0.0.1:P/score
--
-- BENCH_BODY  file holding the request body, sent as is with Content-Type: application/json
-- BENCH_CONTENT_TYPE  another Content-Type for it (text/csv)
-- BENCH_OUT   file written by done(): the summary, wrk's own percentiles and the full latency
--             histogram (microseconds -> count), so that several runs can be merged exactly

local body_path = os.getenv("BENCH_BODY")
local out_path = os.getenv("BENCH_OUT")
assert(body_path, "BENCH_BODY must name the request body file")

local f = assert(io.open(body_path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"

-- Count responses by status (per thread; wrk's own summary only counts status >= 400 as errors).
statuses = {}

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   if not out_path then
      return
   end
   local out = assert(io.open(out_path, "w"))
   local e = summary.errors
   out:write(string.format(
      '{"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout))
   out:write(string.format(
      '"latency_us": {"min": %d, "max": %d, "mean": %.1f, "p50": %d, "p90": %d, "p99": %d}, ',
      latency.min, latency.max, latency.mean,
      latency:percentile(50), latency:percentile(90), latency:percentile(99)))
   -- Percentiles on a grid (1..99 by 1, 99.1..99.9 by 0.1, 99.95, 99.99, 100): run.py merges several
   -- runs by pooling these points weighted by each run's request count. (wrk 4.1's Lua API gives no
   -- access to the raw histogram, and each percentile() call walks it, so the grid stays small.)
   local grid = {}
   for p = 1, 99 do table.insert(grid, p) end
   for p = 991, 999 do table.insert(grid, p / 10) end
   table.insert(grid, 99.95)
   table.insert(grid, 99.99)
   out:write('"percentiles": [')
   for i, p in ipairs(grid) do
      local v = summary.requests > 0 and latency:percentile(p) or 0
      out:write(string.format('%s[%s, %d]', i == 1 and "" or ", ", tostring(p), v))
   end
   out:write(string.format('%s[100, %d]', #grid > 0 and ", " or "", latency.max))
   out:write('], "statuses": {')
   -- each thread ran its own Lua state: collect their status tables
   local merged = {}
   for _, thread in ipairs(threads) do
      local t = thread:get("statuses")
      if t then
         for status, count in pairs(t) do
            merged[status] = (merged[status] or 0) + count
         end
      end
   end
   local first = true
   for status, count in pairs(merged) do
      out:write(string.format('%s"%d": %d', first and "" or ", ", status, count))
      first = false
   end
   out:write("}}\n")
   out:close()
end
