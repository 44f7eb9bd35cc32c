-- wrk script for the gateway load run: POSTs one JSON body on every request and, when the run ends, prints one
-- machine-readable line (read by report.py) next to wrk's own summary.
--
-- The body file is named by the environment variable BODY_FILE.

local path = os.getenv("BODY_FILE")
if path == nil or path == "" then
  error("post.lua: set BODY_FILE to the JSON request body")
end
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local errors = summary.errors
  -- Latencies are in microseconds; duration too.
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d bytes=%d connect_errors=%d read_errors=%d write_errors=%d "
      .. "timeouts=%d non2xx=%d mean_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency.mean, latency:percentile(50.0), latency:percentile(90.0),
    latency:percentile(99.0), latency.max))
end
