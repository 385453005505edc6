-- One fixed request: wrk args are <method> [json body]; headers (Authorization) come from wrk -H.
init = function(args)
  if args[1] then wrk.method = args[1] end
  if args[2] then
    wrk.body = args[2]
    wrk.headers["Content-Type"] = "application/json"
  end
end
