-- Appended to every workload: one machine-readable line with the figures run.ts reads (latencies in µs).
-- With statuses.lua loaded too, the line also carries the answers counted by status.
done = function(summary, latency, requests)
  local e = summary.errors
  local statuses = status_counts and (',"statuses":' .. status_counts()) or ''
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}' .. statuses .. '}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
