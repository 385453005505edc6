-- POST /api/users with a username never used before: wrk arg 1 is a prefix unique to this round.
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local prefix, count = "u", 0
init = function(args)
  prefix = args[1] or prefix
end

request = function()
  count = count + 1
  local name = prefix .. "_" .. tid .. "_" .. count
  local body = '{"username":"' .. name .. '","email":"' .. name .. '@bench.example","password":"bench-password"}'
  return wrk.format("POST", "/api/users", { ["Content-Type"] = "application/json" }, body)
end
