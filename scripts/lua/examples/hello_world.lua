-- examples/hello_world.lua - the smallest page (lua-api.md 5): a header,
-- the date, the parameters.  Our own code; upstream's also fetched an
-- outside web site, which a script here cannot do (no outbound network).

require "lua_utils"

sendHTTPHeader("text/html; charset=utf-8")
page_header("Hello world")
print('<p id="ex-hello">Hello ' .. html_escape(_SESSION.user) .. ", it is " ..
      os.date("%Y-%m-%d %H:%M:%S") .. " on " .. html_escape(ifname) .. ".</p>\n")
print("<h5>_GET</h5>\n")
if next(_GET) then print(table_html(_GET, "ex-get")) else print("<p>(empty)</p>") end
page_footer()
