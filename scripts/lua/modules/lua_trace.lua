-- lua_trace.lua - traceError(level, mode, msg), the debug helper of the
-- 1.x examples (lua-api.md 5, debug.lua); our own code.
--
-- Levels TRACE_ERROR 0 .. TRACE_DEBUG 4; modes TRACE_CONSOLE (the node's
-- log, through ntop.syslog or, for the lower levels, the engine's print in
-- a callback) and TRACE_WEB (into the page being built).  A line reads
--   date [caller] [file:line] LEVEL: msg
-- The trace level is per run (a fresh state per request), default
-- TRACE_INFO.

local M = {}

M.TRACE_ERROR = 0
M.TRACE_WARNING = 1
M.TRACE_NORMAL = 2
M.TRACE_INFO = 3
M.TRACE_DEBUG = 4

M.TRACE_CONSOLE = 0
M.TRACE_WEB = 1

local NAMES = { [0] = "ERROR", "WARNING", "NORMAL", "INFO", "DEBUG" }
local level = M.TRACE_INFO

function M.setTraceLevel(l)
  l = tonumber(l)
  if l and l >= M.TRACE_ERROR and l <= M.TRACE_DEBUG then level = l end
end

function M.resetTraceLevel()
  level = M.TRACE_INFO
end

function M.getTraceLevel()
  return level
end

-- the line that called traceError, from the error position Lua gives:
-- the sandbox has no debug library, so the caller is found by raising an
-- error two levels up and reading its "file:line:" prefix
local function where()
  local ok, e = pcall(error, "", 5)
  local pos = (not ok and type(e) == "string") and e:match("^(.-):%s*$") or nil
  return pos or "?"
end

function M.traceError(trace_level, mode, msg)
  trace_level = tonumber(trace_level) or M.TRACE_ERROR
  if trace_level > level then return end
  local pos = where()
  local file = pos:match("^(.*):%d+$") or pos
  local caller = file:match("([^/]+)$") or file
  local line = os.date("%d/%b/%Y %H:%M:%S") .. " [" .. caller .. "] [" .. pos .. "] " ..
               (NAMES[trace_level] or "?") .. ": " .. tostring(msg)
  if mode == M.TRACE_WEB then
    print(line .. "<br>\n")
  else
    ntop.syslog(trace_level <= M.TRACE_WARNING, line)
  end
end

return M
