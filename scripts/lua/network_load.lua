-- network_load.lua?ifname=<name|id|all> - one interface's load as JSON:
-- the 1.x footer poll and the seed's command-line example (seed 6.4,
-- lua-api.md 7.1):
--   curl --cookie "user=admin; password=admin" \
--        "http://127.0.0.1:3000/lua/network_load.lua?ifname=eth0"
-- Our own code.  ifname= is an interface name (the display name or the -i
-- text) or an id; without it, the interface the engine selected (the
-- ifname cookie, else the first one); ifname=all gives an array of every
-- interface, sorted by name.  An unknown name answers 404 with
-- {"error": "..."}, never another interface's numbers.
--
-- Fields (2.0): ifname, packets, bytes, drops, alerts, num_flows,
-- num_hosts, num_aggregations, epoch, uptime (" 2 days, 3 h, 4 min, 5 sec"),
-- hosts_pctg, flows_pctg, aggregations_pctg (1 + floor(100 * used/max)),
-- local2remote, remote2local, breed ({breed = bytes} over the L7
-- protocols); plus ifid.  The counters are interface.getStats(), which is
-- REST get/interface/data.lua's object, so both give the same numbers.
-- Content type application/json (upstream said text/html).

require "lua_utils"

local function load_of(name)
  local sel, err = interface.select(name)
  if not sel then return nil, err end
  local s = interface.getStats()
  if not s then return nil, "no statistics" end
  local prefs = ntop.getPrefs() or {}
  local function pctg(used, max)
    used, max = tonumber(used) or 0, tonumber(max) or 0
    if max <= 0 then return 1 end
    return 1 + math.floor(100 * used / max)
  end
  local breed = {}
  for _, p in pairs((s.ndpi) or {}) do
    if type(p) == "table" and p.breed then
      breed[p.breed] = (breed[p.breed] or 0) + (p["bytes.sent"] or 0) + (p["bytes.rcvd"] or 0)
    end
  end
  return {
    ifname = s.ifname or sel,
    ifid = tonumber(s.ifid) or interface.name2id(sel),
    packets = s.packets or 0,
    bytes = s.bytes or 0,
    drops = s.drops or 0,
    alerts = 0, -- no alert queue (docs/lua.md)
    num_flows = s.num_flows or 0,
    num_hosts = s.num_hosts or 0,
    num_aggregations = 0,
    epoch = os.time(),
    uptime = " " .. secondsToTime(ntop.getUptime()),
    hosts_pctg = pctg(s.num_hosts, prefs.max_num_hosts),
    flows_pctg = pctg(s.num_flows, prefs.max_num_flows),
    aggregations_pctg = 1,
    local2remote = s.local2remote or 0,
    remote2local = s.remote2local or 0,
    breed = breed,
  }
end

local want = _GET.ifname
if want == nil or want == "" then want = ifname end

if want == "all" then
  local names = {}
  for _, n in pairs(interface.getIfNames() or {}) do names[#names + 1] = n end
  table.sort(names)
  local out = {}
  for _, n in ipairs(names) do
    local t = load_of(n)
    if t then out[#out + 1] = t end
  end
  sendHTTPHeader("application/json")
  print(#out == 0 and "[]" or json_encode(out))
  return
end

local t, err = load_of(want)
if not t then
  sendHTTPStatus(404, "Not Found", "application/json")
  print(json_encode({ error = "unknown interface " .. tostring(want) .. " (" .. tostring(err) .. ")" }))
  return
end
sendHTTPHeader("application/json")
print(json_encode(t))
