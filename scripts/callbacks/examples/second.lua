-- callbacks/examples/second.lua - an example callback, not active: copy it
-- to the -3 directory as second.lua.  Every second it stores each
-- interface's packet and byte counts in the node's cache (Redis):
--   ntopng.lua.<ifname>.packets   ntopng.lua.<ifname>.bytes
-- with a 60 s lifetime, so the keys go away when the callback is removed.
-- Our own code.

for _, name in pairs(interface.getIfNames() or {}) do
  if interface.select(name) then
    local s = interface.getStats()
    if s then
      ntop.setCache("ntopng.lua." .. name .. ".packets", string.format("%.0f", s.packets or 0), 60)
      ntop.setCache("ntopng.lua." .. name .. ".bytes", string.format("%.0f", s.bytes or 0), 60)
    end
  end
end
