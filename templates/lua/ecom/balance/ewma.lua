-- ewma: peak-EWMA (as in Finagle and ingress-nginx). Two candidates drawn at random; the one with the lower cost
-- wins, where cost = its decayed EWMA response time x (requests in flight + 1). A slow peer is avoided at once
-- (peak sensitivity), an idle one is tried again as its EWMA decays.
local stats = require('ecom.stats')
local random = math.random

-- A floor under the EWMA (seconds), so a peer with no samples yet is not free however many requests it holds.
local FLOOR = 0.0005

local function cost(peer)
  local e = stats.ewma(peer.key) or 0
  return (e + FLOOR) * (stats.in_flight(peer.key) + 1)
end

return {
  pick = function(_, candidates)
    local n = #candidates
    if n == 1 then return candidates[1] end
    local a = random(n)
    local b = random(n - 1)
    if b >= a then b = b + 1 end
    local pa, pb = candidates[a], candidates[b]
    if cost(pb) < cost(pa) then return pb end
    return pa
  end,
}
