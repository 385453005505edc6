-- PUT /api/users/<id> renaming users to names never used before, each request with its own user's token.
-- wrk args: <prefix unique to this run> <id>:<token> [<id>:<token> ...]; requests go round the users in turn.
local prefix, accounts, count = "p", {}, 0
init = function(args)
  prefix = args[1] or prefix
  for i = 2, #args do
    local id, token = args[i]:match("^(%d+):(.+)$")
    table.insert(accounts, { id = id, token = token })
  end
end

request = function()
  count = count + 1
  local account = accounts[(count % #accounts) + 1]
  local name = prefix .. "_" .. count
  local body = '{"username":"' .. name .. '","email":"' .. name .. '@soak.example"}'
  return wrk.format("PUT", "/api/users/" .. account.id,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. account.token }, body)
end
