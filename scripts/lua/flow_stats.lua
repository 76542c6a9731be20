-- flow_stats.lua - the small per-flow counter panel of 1.x (lua-api.md
-- 7.2; the seed's 5.2 names it as its example URL).  Our own code.
--   flow_stats.lua                      the 50 biggest active flows, each
--                                       linking to its panel
--   flow_stats.lua?flow_key=K           the panel of flow K (the key of
--                                       getFlowsInfo, REST's hash_id),
--                                       refreshed every 5 s
--   flow_stats.lua?flow_key=K&format=json  its counters as JSON (what the
--                                       panel polls; upstream had
--                                       get_flow_data.lua for that)
-- A flow that is gone answers 404.

require "lua_utils"

local FIELDS = { "cli.ip", "cli.port", "srv.ip", "srv.port", "vlan", "proto.l4", "proto.ndpi",
                 "bytes", "packets", "cli2srv.bytes", "srv2cli.bytes", "cli2srv.packets",
                 "srv2cli.packets", "seen.first", "seen.last", "duration", "throughput_bps",
                 "throughput_pps", "info" }

local key = tonumber(_GET.flow_key)

if _GET.format == "json" then
  local f, err = nil, "flow_key missing"
  if key then f, err = interface.findFlowByKey(key) end
  if not f then
    sendHTTPStatus(404, "Not Found", "application/json")
    print(json_encode({ error = tostring(err) }))
    return
  end
  local t = { flow_key = key }
  for _, k in ipairs(FIELDS) do t[k] = f[k] end
  sendHTTPHeader("application/json")
  print(json_encode(t))
  return
end

if key then
  local f, err = interface.findFlowByKey(key)
  if not f then
    sendHTTPStatus(404, "Not Found")
    page_header("Flow not found")
    print('<div class="alert alert-warning" id="ex-missing">Flow ' .. string.format("%.0f", key) ..
          " is not active (" .. html_escape(err) .. '). <a href="/lua/flow_stats.lua">Active flows</a></div>')
    page_footer()
    return
  end
  sendHTTPHeader("text/html; charset=utf-8")
  page_header("Flow " .. f["cli.ip"] .. ":" .. string.format("%.0f", f["cli.port"]) .. " → " ..
              f["srv.ip"] .. ":" .. string.format("%.0f", f["srv.port"]))
  print('<table class="table table-sm table-bordered w-auto" id="ex-flow"><tbody>')
  local rows = {
    { "Protocol", "proto", html_escape(f["proto.l4"]) .. " / " .. html_escape(f["proto.ndpi"]) },
    { "Client → server", "c2s", bytesToSize(f["cli2srv.bytes"]) .. " / " .. formatValue(f["cli2srv.packets"]) .. " pkts" },
    { "Server → client", "s2c", bytesToSize(f["srv2cli.bytes"]) .. " / " .. formatValue(f["srv2cli.packets"]) .. " pkts" },
    { "Total", "total", bytesToSize(f.bytes) .. " / " .. formatValue(f.packets) .. " pkts" },
    { "Throughput", "thpt", bitsToSize(8 * (f.throughput_bps or 0)) },
    { "First seen", "first", os.date("%Y-%m-%d %H:%M:%S", f["seen.first"] or 0) },
    { "Last seen", "last", os.date("%Y-%m-%d %H:%M:%S", f["seen.last"] or 0) },
    { "Duration", "duration", secondsToTime(f.duration) },
    { "Info", "info", html_escape(f.info or "") },
  }
  for _, r in ipairs(rows) do
    print("<tr><th>" .. r[1] .. '</th><td id="ex-' .. r[2] .. '">' .. r[3] .. "</td></tr>\n")
  end
  print('</tbody></table><p><a href="/lua/flow_details.lua?flow_key=' .. string.format("%.0f", key) ..
        '">Flow details</a> · <a href="/lua/flow_stats.lua">Active flows</a></p>')
  page_footer(string.format([[
const key = %.0f;
async function refresh() {
  const r = await fetch('/lua/flow_stats.lua?format=json&flow_key=' + key, { credentials: 'same-origin' });
  if (r.status !== 200) return;
  const f = await r.json();
  const set = (id, v) => { const e = document.getElementById(id); if (e) e.textContent = v; };
  set('ex-c2s', NT.bytes(f['cli2srv.bytes']) + ' / ' + NT.num(f['cli2srv.packets']) + ' pkts');
  set('ex-s2c', NT.bytes(f['srv2cli.bytes']) + ' / ' + NT.num(f['srv2cli.packets']) + ' pkts');
  set('ex-total', NT.bytes(f.bytes) + ' / ' + NT.num(f.packets) + ' pkts');
  set('ex-thpt', NT.bps(8 * (f.throughput_bps || 0)));
  set('ex-last', NT.time(f['seen.last']));
  set('ex-duration', NT.dur(f.duration));
}
setInterval(refresh, 5000);
]], key))
  return
end

-- no flow_key: the biggest active flows
sendHTTPHeader("text/html; charset=utf-8")
page_header("Active flows")
local res = interface.queryFlows { sortColumn = "bytes", sortOrder = "desc", perPage = 50 }
local rows = (res and res.rows) or {}
print('<p><span id="ex-total-flows">' .. string.format("%.0f", (res and res.totalRows) or 0) ..
      "</span> active flows; the 50 biggest:</p>")
print('<table class="table table-sm table-striped" id="ex-flows"><thead><tr><th>Flow</th><th>Client</th>' ..
      "<th>Server</th><th>Protocol</th><th>Bytes</th></tr></thead><tbody>")
for _, r in ipairs(rows) do
  local cli, srv = r.client or {}, r.server or {}
  local id = string.format("%.0f", tonumber(r.hash_id or r.key) or 0)
  local proto = type(r.protocol) == "table" and (r.protocol.l4 or "") or tostring(r.protocol or "")
  local l7 = type(r.protocol) == "table" and tostring(r.protocol.l7 or "") or ""
  print('<tr><td><a href="/lua/flow_stats.lua?flow_key=' .. id .. '">' .. id .. "</a></td><td>" ..
        html_escape(cli.ip) .. ":" .. html_escape(cli.port) .. "</td><td>" ..
        html_escape(srv.ip) .. ":" .. html_escape(srv.port) .. "</td><td>" ..
        html_escape(proto) .. (l7 ~= "" and (" / " .. html_escape(l7)) or "") .. "</td><td>" ..
        bytesToSize(r.bytes) .. "</td></tr>\n")
end
print("</tbody></table>")
page_footer()
