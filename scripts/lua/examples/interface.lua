-- examples/interface.lua - a tour of the `interface` class (lua-api.md 5;
-- seed 5.4), and a smoke test of every read method.  Our own code.
--
-- Sections, as upstream's example:
--   ?interfacetype=show                 getStats()
--   ?hostinfotype=minimal_one_host      getHostInfo(host)   (host= or the top host)
--   ?hostinfotype=minimal_all_host      getHosts()
--   ?hostinfotype=more_one_host         getHostInfo(host), every field
--   ?hostinfotype=more_all_host         getHostsInfo(true)
--   ?flowtype=description               getFlowsInfo()
--   ?flowtype=peers                     getFlowPeers()
-- plus what this node adds: getSources() and getOrigins().  Without a
-- parameter the page shows the interface basics and links to each section.

require "lua_utils"

sendHTTPHeader("text/html; charset=utf-8")
page_header("Lua example: the interface class")

local MAX_ROWS = 50 -- rows shown per table; the counts are of every row

local function section(title, body, id)
  print('<div class="card mb-3"' .. (id and (' id="' .. id .. '"') or "") ..
        '><div class="card-header">' .. html_escape(title) ..
        '</div><div class="card-body">' .. body .. "</div></div>\n")
end

local function num(v)
  return string.format("%.0f", tonumber(v) or 0)
end

local function link(q, label)
  return '<a href="?' .. q .. '">' .. html_escape(label) .. "</a>"
end

-- the basics
local selected = interface.select(ifname)
local names = interface.getIfNames()
local basics = {
  "interface.getDefaultIfName(): <code>" .. html_escape(interface.getDefaultIfName()) .. "</code>",
  "interface.select(ifname): <code id=\"ex-select\">" .. html_escape(tostring(selected)) .. "</code>",
  "interface.name2id(ifname): <code id=\"ex-ifid\">" .. num(interface.name2id(ifname)) .. "</code>",
  "interface.isRunning(): <code>" .. tostring(interface.isRunning()) .. "</code>",
  "interface.getIfNames(): " .. table_html(names, "ex-ifnames"),
}
section("Interfaces", table.concat(basics, "<br>\n"))

section("Sections", table.concat({
  link("interfacetype=show", "Interface statistics (getStats)"),
  link("hostinfotype=minimal_one_host", "One host, summary (getHostInfo)"),
  link("hostinfotype=minimal_all_host", "All hosts, summary (getHosts)"),
  link("hostinfotype=more_one_host", "One host, every field (getHostInfo)"),
  link("hostinfotype=more_all_host", "All hosts, details (getHostsInfo)"),
  link("flowtype=description", "Flows (getFlowsInfo)"),
  link("flowtype=peers", "Peers (getFlowPeers)"),
  link("sources=1", "Sources and origins (getSources, getOrigins)"),
}, " · "))

-- the host a one-host section shows: host= or the host with most traffic
local function pick_host()
  if _GET.host and _GET.host ~= "" then return _GET.host end
  local best, bytes = nil, -1
  for key, h in pairs(interface.getHosts() or {}) do
    local b = (h["bytes.sent"] or 0) + (h["bytes.rcvd"] or 0)
    if b > bytes or (b == bytes and key < best) then best, bytes = key, b end
  end
  return best
end

local function hosts_table(hosts, cols)
  local keys = {}
  for k in pairs(hosts) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ba = (hosts[a]["bytes.sent"] or 0) + (hosts[a]["bytes.rcvd"] or 0)
    local bb = (hosts[b]["bytes.sent"] or 0) + (hosts[b]["bytes.rcvd"] or 0)
    if ba ~= bb then return ba > bb end
    return a < b
  end)
  local out = { '<p>' .. #keys .. ' hosts</p><table class="table table-sm table-striped" id="ex-hosts"><thead><tr><th>Host</th>' }
  for _, c in ipairs(cols) do out[#out + 1] = "<th>" .. html_escape(c) .. "</th>" end
  out[#out + 1] = "</tr></thead><tbody>"
  for i, k in ipairs(keys) do
    if i > MAX_ROWS then break end
    local h = hosts[k]
    out[#out + 1] = '<tr><td><a href="?hostinfotype=more_one_host&host=' .. urlencode(k) .. '">' ..
                    html_escape(k) .. "</a></td>"
    for _, c in ipairs(cols) do
      local v = h[c]
      if type(v) == "number" then v = num(v) end
      out[#out + 1] = "<td>" .. html_escape(tostring(v == nil and "" or v)) .. "</td>"
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out)
end

if _GET.interfacetype == "show" then
  local s = interface.getStats()
  section("interface.getStats()", table_html(s, "ex-stats"), "ex-section")
end

local ht = _GET.hostinfotype
if ht == "minimal_one_host" or ht == "more_one_host" then
  local host = pick_host()
  local h, err = nil, "no host"
  if host then h, err = interface.getHostInfo(host) end
  if not h then
    section("interface.getHostInfo(" .. tostring(host) .. ")", html_escape(err), "ex-section")
  elseif ht == "minimal_one_host" then
    local t = {}
    for _, k in ipairs({ "ip", "name", "vlan", "bytes.sent", "bytes.rcvd", "packets.sent",
                         "packets.rcvd", "seen.first", "seen.last", "localhost" }) do
      t[k] = h[k]
    end
    section("interface.getHostInfo(\"" .. host .. "\"), summary", table_html(t, "ex-host"), "ex-section")
  else
    section("interface.getHostInfo(\"" .. host .. "\")", table_html(h, "ex-host"), "ex-section")
  end
elseif ht == "minimal_all_host" then
  section("interface.getHosts()", hosts_table(interface.getHosts() or {},
          { "bytes.sent", "bytes.rcvd" }), "ex-section")
elseif ht == "more_all_host" then
  section("interface.getHostsInfo(true)", hosts_table(interface.getHostsInfo(true) or {},
          { "name", "vlan", "bytes.sent", "bytes.rcvd", "packets.sent", "packets.rcvd",
            "localhost" }), "ex-section")
end

if _GET.flowtype == "description" then
  local flows = interface.getFlowsInfo(_GET.host) or {}
  local keys, total = {}, 0
  for k, f in pairs(flows) do
    keys[#keys + 1] = k
    total = total + (f.bytes or 0)
  end
  table.sort(keys, function(a, b)
    if flows[a].bytes ~= flows[b].bytes then return flows[a].bytes > flows[b].bytes end
    return a < b
  end)
  local out = { '<p><span id="ex-nflows">' .. #keys .. '</span> flows, <span id="ex-fbytes">' ..
                num(total) .. "</span> bytes</p>",
                '<table class="table table-sm table-striped" id="ex-flows"><thead><tr>' ..
                "<th>Key</th><th>Client</th><th>Server</th><th>L4</th><th>L7</th>" ..
                "<th>Bytes</th><th>Packets</th><th>Duration</th></tr></thead><tbody>" }
  for i, k in ipairs(keys) do
    if i > MAX_ROWS then break end
    local f = flows[k]
    out[#out + 1] = '<tr><td><a href="/lua/flow_stats.lua?flow_key=' .. num(k) .. '">' .. num(k) ..
      "</a></td><td>" .. html_escape(f["cli.ip"]) .. ":" .. num(f["cli.port"]) ..
      "</td><td>" .. html_escape(f["srv.ip"]) .. ":" .. num(f["srv.port"]) ..
      "</td><td>" .. html_escape(f["proto.l4"]) .. "</td><td>" .. html_escape(f["proto.ndpi"]) ..
      "</td><td>" .. bytesToSize(f.bytes) .. "</td><td>" .. formatValue(f.packets) ..
      "</td><td>" .. secondsToTime(f.duration) .. "</td></tr>"
  end
  out[#out + 1] = "</tbody></table>"
  section("interface.getFlowsInfo(" .. (_GET.host and ('"' .. _GET.host .. '"') or "") .. ")",
          table.concat(out), "ex-section")
elseif _GET.flowtype == "peers" then
  local peers = interface.getFlowPeers(_GET.host) or {}
  local keys = {}
  for k in pairs(peers) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = { "<p>" .. #keys .. ' peer pairs</p><table class="table table-sm table-striped" id="ex-peers">' ..
                "<thead><tr><th>Client</th><th>Server</th><th>Sent</th><th>Received</th>" ..
                "<th>L7</th></tr></thead><tbody>" }
  for i, k in ipairs(keys) do
    if i > MAX_ROWS then break end
    local p = peers[k]
    out[#out + 1] = "<tr><td>" .. html_escape(p.client) .. "</td><td>" .. html_escape(p.server) ..
      "</td><td>" .. bytesToSize(p.sent) .. "</td><td>" .. bytesToSize(p.rcvd) ..
      "</td><td>" .. html_escape(p["proto.ndpi"]) .. "</td></tr>"
  end
  out[#out + 1] = "</tbody></table>"
  section("interface.getFlowPeers()", table.concat(out), "ex-section")
end

if _GET.sources then
  local src = interface.getSources() or {}
  local org = interface.getOrigins() or {}
  section("interface.getSources()", table_html(src, "ex-sources") ..
          "<h6 class=\"mt-3\">interface.getOrigins()</h6>" ..
          (next(org) and table_html(org) or "<p>No origin nodes (this interface is not a hub).</p>"),
          "ex-section")
end

page_footer()
