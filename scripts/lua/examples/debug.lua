-- examples/debug.lua - how to debug a script (lua-api.md 5; seed 5.4).
-- Our own code.  traceError(level, mode, msg) from modules/lua_trace.lua
-- writes "date [caller] [file:line] LEVEL: msg" to the node's log
-- (TRACE_CONSOLE) or into the page (TRACE_WEB):
--   ?trace=web      the trace lines appear below
--   ?trace=console  they go to the node's log (and syslog)
-- Any other parameter is listed, to show what _GET holds.

require "lua_utils"

sendHTTPHeader("text/html; charset=utf-8")
page_header("Lua example: debugging")

print('<div class="card mb-3"><div class="card-header">Parameters (_GET)</div><div class="card-body">')
local n = 0
for _ in pairs(_GET) do n = n + 1 end
if n == 0 then
  print("<p>No parameters. Try <a href=\"?trace=web&amp;foo=bar\">?trace=web&amp;foo=bar</a> or " ..
        "<a href=\"?trace=console\">?trace=console</a>.</p>")
else
  print(table_html(_GET, "ex-get"))
end
print("</div></div>\n")

print('<div class="card mb-3"><div class="card-header">traceError</div><div class="card-body" id="ex-trace">')
local mode = _GET.trace == "console" and TRACE_CONSOLE or TRACE_WEB
if _GET.trace == "web" or _GET.trace == "console" then
  setTraceLevel(TRACE_DEBUG)
  traceError(TRACE_ERROR, mode, "an error-level line")
  traceError(TRACE_WARNING, mode, "a warning")
  traceError(TRACE_NORMAL, mode, "a normal line")
  traceError(TRACE_INFO, mode, "an info line")
  traceError(TRACE_DEBUG, mode, "a debug line (shown after setTraceLevel(TRACE_DEBUG))")
  resetTraceLevel()
  traceError(TRACE_DEBUG, mode, "not shown: resetTraceLevel() went back to TRACE_INFO")
  if mode == TRACE_CONSOLE then
    print("<p>Six calls, five lines written to the node's log (ERROR and WARNING as warnings; " ..
          "an ERROR line in the node's log is kept for faults of the node itself).</p>")
  end
else
  print("<p>Add <code>?trace=web</code> or <code>?trace=console</code>.</p>")
end
print("</div></div>\n")

print([[<div class="card mb-3"><div class="card-header">Errors</div><div class="card-body">
<p>A script that raises an error answers 500. The page names the script and, for administrators,
the message with its line (<code>lua/examples/x.lua:3: attempt to index a nil value</code>); the
node logs it at WARN. Use <code>pcall</code> to handle an error in the page instead:</p>
<pre id="ex-pcall">]])
local ok, err = pcall(function() local t = nil; return t.field end)
print(html_escape("pcall -> " .. tostring(ok) .. ", " .. tostring(err)))
print("</pre></div></div>\n")

page_footer()
