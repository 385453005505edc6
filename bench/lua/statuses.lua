-- Opt-in (Load.statuses in wrk.ts): counts every answer by status, so a run tells 4xx from 5xx precisely.
-- wrk calls response() once per answer on the thread; status_counts() runs in the main state from done()
-- (report.lua) and sums the threads' tallies as a JSON object.
local tally_threads = {}
local script_setup = setup
setup = function(thread)
  table.insert(tally_threads, thread)
  if script_setup then script_setup(thread) end
end

statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function status_counts()
  local total = {}
  for _, thread in ipairs(tally_threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d":%d', status, n)) end
  return "{" .. table.concat(parts, ",") .. "}"
end
