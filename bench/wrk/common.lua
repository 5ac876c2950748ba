-- Shared by the scenario scripts: the bearer token every request carries,
-- user ids read from a file, and the one-line summary bench/run.sh parses.
local M = {}

-- auth makes every request carry BENCH_TOKEN as its bearer token.
function M.auth()
  local token = os.getenv("BENCH_TOKEN")
  assert(token and token ~= "", "BENCH_TOKEN is not set")
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- lines reads the non-empty lines of the file named by the environment variable.
function M.lines(var)
  local path = os.getenv(var)
  assert(path and path ~= "", var .. " is not set")
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  assert(#out > 0, path .. " is empty")
  return out
end

-- rotation hands out the ids so that no two requests of a run share one
-- (until the list runs out): thread t of n takes ids t, t+n, t+2n...
-- BENCH_OFFSET starts later in the list, so consecutive runs use fresh ids.
function M.rotation(ids)
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  local i = offset + (tid or 0)
  return function()
    local id = ids[(i % #ids) + 1]
    i = i + threads
    return id
  end
end

-- done prints the run's numbers on one line: latencies in microseconds,
-- errors split the way wrk counts them (status = answers of 400 and more).
function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- numbered gives each thread its index (tid) before its requests start.
local counter = 0
function M.numbered(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

return M
