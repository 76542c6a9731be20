-- lua_utils.lua - helpers shared by the pages in scripts/lua/ (our own
-- code, with the names of ntopng's 1.x/2.0 lua_utils so that old scripts
-- that `require "lua_utils"` find what they call; lua-api.md 8.9).
--
-- Also: html_escape, json_encode (the pages answer JSON without a C
-- encoder), page_header/page_footer (the node's own layout, so a Lua page
-- renders inside our UI: same CSS, nav bar and footer as httpdocs/pages).
-- Pure Lua: loaded once per run by require, it keeps no state between runs.

local lua_trace = require "lua_trace"

-- the debug helpers of modules/lua_trace.lua, also as globals (upstream's
-- lua_utils re-exported them)
for k, v in pairs(lua_trace) do _G[k] = v end

-- The nav bar's interface selector (/js/ntop.js) adds ?ifid=N, while the
-- engine picks the interface from ?ifname= or the ifname cookie: a page
-- that requires lua_utils follows ?ifid= too, so that the selector works
-- on Lua pages as on the built-in ones.
if type(_GET) == "table" and _GET.ifid and (_GET.ifname == nil or _GET.ifname == "") then
  local id = tonumber(_GET.ifid)
  local name = id and interface.select(id)
  if name then ifname = name end
end

-- ----------------------------------------------------------------------
-- formatting

function secondsToTime(seconds)
  seconds = math.floor(tonumber(seconds) or 0)
  if seconds < 1 then return "< 1 sec" end
  local parts = {}
  local days = math.floor(seconds / 86400)
  local hours = math.floor(seconds / 3600) % 24
  local mins = math.floor(seconds / 60) % 60
  local secs = seconds % 60
  if days > 0 then parts[#parts + 1] = days .. (days == 1 and " day" or " days") end
  if hours > 0 then parts[#parts + 1] = hours .. " h" end
  if mins > 0 then parts[#parts + 1] = mins .. " min" end
  if secs > 0 then parts[#parts + 1] = secs .. " sec" end
  return table.concat(parts, ", ")
end

local function scaled(value, units, base)
  value = tonumber(value) or 0
  local i = 1
  while math.abs(value) >= base and i < #units do
    value = value / base
    i = i + 1
  end
  if i == 1 then return string.format("%.0f %s", value, units[i]) end
  return string.format("%.2f %s", value, units[i])
end

function bytesToSize(bytes)
  return scaled(bytes, { "Bytes", "KB", "MB", "GB", "TB", "PB" }, 1024)
end

function bitsToSize(bits)
  return scaled(bits, { "bps", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" }, 1000)
end

-- 1234567 -> "1,234,567" (integers; a fraction is rounded)
function formatValue(amount)
  local s = string.format("%.0f", tonumber(amount) or 0)
  local neg = s:sub(1, 1) == "-"
  if neg then s = s:sub(2) end
  local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  if out:sub(1, 1) == "," then out = out:sub(2) end
  return (neg and "-" or "") .. out
end

function round(num, idp)
  local m = 10 ^ (idp or 0)
  return math.floor(num * m + 0.5) / m
end

-- ----------------------------------------------------------------------
-- hosts: keys are "ip" or "ip@vlan" (lua-api.md 0)

function hostkey2hostinfo(key)
  key = tostring(key or "")
  local ip, vlan = key:match("^(.-)@(%d+)$")
  if ip then return { host = ip, vlan = tonumber(vlan) } end
  return { host = key, vlan = 0 }
end

function hostinfo2hostkey(info)
  local vlan = tonumber(info.vlan) or 0
  if vlan ~= 0 then return info.host .. "@" .. vlan end
  return info.host
end

local function url_encode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end
urlencode = url_encode

-- {host=, vlan=} -> "host=1.2.3.4&vlan=2" (the host_details.lua query)
function hostinfo2url(info)
  local s = "host=" .. url_encode(info.host or info.ip or "")
  local vlan = tonumber(info.vlan) or 0
  if vlan ~= 0 then s = s .. "&vlan=" .. vlan end
  return s
end

-- the reverse, from a page's _GET
function url2hostinfo(get)
  local info = hostkey2hostinfo(get.host or "")
  if get.vlan and tonumber(get.vlan) then info.vlan = tonumber(get.vlan) end
  return info
end

-- a DOM id from a host: "." -> "__", "/" -> "___", ":" -> "____",
-- "@vlan" -> "_vlan" (lua-api.md 7.1)
function hostinfo2jqueryid(info)
  local s = info.host or ""
  s = s:gsub(":", "____"):gsub("/", "___"):gsub("%.", "__")
  local vlan = tonumber(info.vlan) or 0
  if vlan ~= 0 then s = s .. "_" .. vlan end
  return s
end

-- ----------------------------------------------------------------------
-- the node

-- the Redis prefix of an interface's keys (lua-api.md 3.3)
function getRedisPrefix(str)
  return "ntopng.prefs." .. tostring(str or ifname or "")
end

-- fixed (lua-api.md 8.8): asks the node, never trusts a cookie
function isAdministrator()
  return ntop.isAdministrator() == true
end

-- the selected interface's id, from the engine's ifname
function getInterfaceId(name)
  return interface.name2id(name or ifname)
end

-- ----------------------------------------------------------------------
-- output

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

function html_escape(s)
  if s == nil then return "" end
  return (tostring(s):gsub("[&<>\"']", ESC))
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    if c == "\r" then return "\\r" end
    if c == "\t" then return "\\t" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
    n = n + 1
  end
  return n == #t
end

-- a Lua value as JSON text: an empty table is {}, a sequence an array,
-- integral numbers without a fraction, NaN and infinities null; object
-- keys are sorted so that the output is stable
function json_encode(v, depth)
  depth = depth or 0
  if depth > 32 then error("json_encode: nested too deep") end
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return v and "true" or "false" end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v % 1 == 0 and math.abs(v) < 2 ^ 53 then return string.format("%.0f", v) end
    return string.format("%.17g", v)
  end
  if t == "string" then return json_string(v) end
  if t ~= "table" then return "null" end
  local out = {}
  if next(v) ~= nil and is_array(v) then
    for i = 1, #v do out[i] = json_encode(v[i], depth + 1) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local val = v[k]
    if val == nil then val = v[tonumber(k)] end
    out[#out + 1] = json_string(k) .. ":" .. json_encode(val, depth + 1)
  end
  return "{" .. table.concat(out, ",") .. "}"
end

-- a status line and headers of our own (the engine parses a block that
-- starts with HTTP/1.x, docs/lua.md "Pages")
function sendHTTPStatus(code, reason, mime)
  print("HTTP/1.1 " .. code .. " " .. reason .. "\r\nContent-Type: " ..
        (mime or "text/html; charset=utf-8") .. "\r\nCache-Control: no-store\r\n\r\n")
end

-- the head of a page in the node's layout: the same stylesheet, nav bar
-- (drawn by /js/ntop.js from the session) and footer as the built-in
-- pages; nothing from outside the node
function page_header(title)
  print([[<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ntopng - ]] .. html_escape(title) .. [[</title>
<link rel="icon" href="/img/favicon.svg">
<link rel="stylesheet" href="/javascript/bootstrap5/css/bootstrap.min.css">
<link rel="stylesheet" href="/css/ntopng.css">
</head>
<body>
<div id="nav"></div>
<main class="container-fluid py-3" id="main">
<h3>]] .. html_escape(title) .. "</h3>\n")
end

-- extra: JavaScript run once the layout is drawn (NT.start), or nil
function page_footer(extra)
  print([[
</main>
<div id="footer"></div>
<script src="/javascript/bootstrap5/js/bootstrap.bundle.min.js"></script>
<script src="/js/ntop.js"></script>
<script>NT.start(async function () {]] .. (extra or "") .. [[});</script>
</body>
</html>
]])
end

-- a two-column table of a Lua table (nested tables recursively), keys
-- sorted; values HTML-escaped
function table_html(t, id)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = { '<table class="table table-sm table-bordered w-auto"' ..
                (id and (' id="' .. html_escape(id) .. '"') or "") .. "><tbody>" }
  for _, k in ipairs(keys) do
    local v = t[k]
    local cell
    if type(v) == "table" then
      cell = table_html(v)
    elseif type(v) == "number" and v % 1 == 0 then
      cell = string.format("%.0f", v)
    else
      cell = html_escape(tostring(v))
    end
    out[#out + 1] = "<tr><th>" .. html_escape(tostring(k)) .. "</th><td>" .. cell .. "</td></tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out)
end

return {}
