-- wrk script: optional method, body and think time from the environment, and a one-line JSON summary at the end.
local method = os.getenv("WRK_METHOD")
local body = os.getenv("WRK_BODY")
if method then wrk.method = method end
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

-- Moderate load: each connection is a person who pauses (WRK_THINK_MS on average, 50-150 %) between clicks.
local think = tonumber(os.getenv("WRK_THINK_MS") or "0")
if think > 0 then
  math.randomseed(os.time())
  delay = function()
    return math.floor(think * (0.5 + math.random()))
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
