-- get_host_activitymap.lua?host=<ip>[&vlan=N][&ifname=<name|id>] - the
-- 1.x URL of a host's activity map (seed 1.1, lua-api.md 2.1): JSON
-- {"<epoch of minute>": active seconds} over the last 24 h, as REST
-- get/host/activitymap.lua answers it.  Only local hosts (-m) have a map:
-- a remote host answers {}; an unknown host 404 with {"error": "..."}.
-- Our own code.

require "lua_utils"

if _GET.ifname and _GET.ifname ~= "" then
  if not interface.select(_GET.ifname) then
    sendHTTPStatus(404, "Not Found", "application/json")
    print('{"error": "unknown interface"}')
    return
  end
end

local map, err = interface.getHostActivityMap(_GET.host or "", false, tonumber(_GET.vlan))
if not map then
  sendHTTPStatus(404, "Not Found", "application/json")
  print(json_encode({ error = err or "host not found" }))
  return
end
sendHTTPContentTypeHeader("application/json")
print(map)
