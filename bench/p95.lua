-- wrk script for bench/run.py: counts responses other than 200 (a lost session would
-- show as 302s, which wrk itself counts as fine) and prints the 95th percentile latency.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_200 = not_200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_200")
  end
  io.write(string.format("bench p95_us=%d not_200=%d\n", latency:percentile(95), bad))
end
