-- examples/ntop.lua - a tour of the `ntop` class (lua-api.md 5; seed 5.4).
-- Our own code.  Read-only by default: the user-management part runs only
-- when an administrator POSTs the form below with the session's CSRF
-- token (the engine checks the token before the script runs, and the
-- user-changing methods refuse any other run), and no password or hash is
-- ever shown.

require "lua_utils"

sendHTTPHeader("text/html; charset=utf-8")
page_header("Lua example: the ntop class")

local function section(title, body)
  print('<div class="card mb-3"><div class="card-header">' .. html_escape(title) ..
        '</div><div class="card-body">' .. body .. "</div></div>\n")
end

local function code(v)
  if type(v) == "table" then return table_html(v) end
  if type(v) == "number" and v % 1 == 0 then return "<code>" .. string.format("%.0f", v) .. "</code>" end
  return "<code>" .. html_escape(tostring(v)) .. "</code>"
end

section("Global ifname", '<span id="ex-ifname">' .. html_escape(ifname) .. "</span>")

local info = ntop.getInfo()
section("ntop.getInfo()", table_html(info, "ex-info"))
section("ntop.getDirs()", table_html(ntop.getDirs(), "ex-dirs"))
section("Time", "ntop.getUptime(): " .. code(ntop.getUptime()) .. " s (" ..
        html_escape(secondsToTime(ntop.getUptime())) .. ")<br>" ..
        "ntop.gettimemsec(): " .. code(string.format("%.3f", ntop.gettimemsec())) .. "<br>" ..
        "ntop.verboseTrace(): " .. code(ntop.verboseTrace()) .. "<br>" ..
        "ntop.isWindows(): " .. code(ntop.isWindows()))
section("ntop.getPrefs()", table_html(ntop.getPrefs(), "ex-prefs"))

-- Redis round trips on keys of this example only
local key = getRedisPrefix(ifname) .. ".example"
local r = {}
r[#r + 1] = "setCache: " .. code(ntop.setCache(key, "hello from ntop.lua"))
r[#r + 1] = "getCache: " .. '<code id="ex-cache">' .. html_escape(ntop.getCache(key)) .. "</code>"
r[#r + 1] = "delCache: " .. code(ntop.delCache(key))
r[#r + 1] = "getCache after delCache: " .. code('"' .. ntop.getCache(key) .. '"')
r[#r + 1] = "setHashCache: " .. code(ntop.setHashCache(key .. ".hash", "field", "42"))
r[#r + 1] = "getHashCache: " .. '<code id="ex-hash">' .. html_escape(ntop.getHashCache(key .. ".hash", "field")) .. "</code>"
ntop.delHashCache(key .. ".hash", "field")
section("Cache (Redis)", table.concat(r, "<br>\n"))

section("ntop.resolveAddress(\"127.0.0.1\")", code(ntop.resolveAddress("127.0.0.1")))

ntop.syslog(false, "examples/ntop.lua: an info line through ntop.syslog")
section("ntop.syslog", "Wrote an info line to syslog and the node's log " ..
        "(<code>ntop.syslog(false, msg)</code>; <code>true</code> writes an error-level line).")

-- Users: administrators only; never a password field
local body = {}
if not isAdministrator() then
  body[#body + 1] = "<p>Only administrators see the users.</p>"
else
  local users = ntop.getUsers() or {}
  body[#body + 1] = '<table class="table table-sm w-auto" id="ex-users"><thead><tr>' ..
    "<th>User</th><th>Full name</th><th>Group</th></tr></thead><tbody>"
  local names = {}
  for name in pairs(users) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local u = users[name]
    body[#body + 1] = "<tr><td>" .. html_escape(name) .. "</td><td>" .. html_escape(u.full_name) ..
      "</td><td>" .. html_escape(u.group) .. "</td></tr>"
  end
  body[#body + 1] = "</tbody></table>"

  if _SERVER.REQUEST_METHOD == "POST" and _POST.action == "user_demo" then
    -- the 1.x demo: add a user, reset its password, delete it
    local u = "lua_example_user"
    local steps = {}
    local ok, err = ntop.addUser(u, "Lua example", "example-pw-1", "unprivileged")
    steps[#steps + 1] = "addUser: " .. tostring(ok) .. (err and (" (" .. err .. ")") or "")
    ok, err = ntop.resetUserPassword(u, "", "example-pw-2")
    steps[#steps + 1] = "resetUserPassword: " .. tostring(ok) .. (err and (" (" .. err .. ")") or "")
    ok, err = ntop.deleteUser(u)
    steps[#steps + 1] = "deleteUser: " .. tostring(ok) .. (err and (" (" .. err .. ")") or "")
    body[#body + 1] = '<pre id="ex-user-demo">' .. html_escape(table.concat(steps, "\n")) .. "</pre>"
  else
    -- the token is filled in by ntop.js from the session (NT.session.csrf)
    body[#body + 1] = '<form method="post" id="ex-user-form">' ..
      '<input type="hidden" name="action" value="user_demo">' ..
      '<input type="hidden" name="csrf" id="ex-csrf" value="">' ..
      '<button class="btn btn-sm btn-outline-primary" type="submit">' ..
      "Add, re-password and delete a test user</button></form>"
  end
end
section("Users", table.concat(body, "\n"))

section("Not provided here", "getMembersCache, getHashKeysCache, setPopCache, dumpDailyStats, " ..
        "getHostId/getIdToHost and the zmq_* functions: see docs/lua.md.")

page_footer([[
const f = document.getElementById('ex-csrf');
if (f && NT.session && NT.session.csrf) f.value = NT.session.csrf;
]])
