-- ewma: peak-EWMA (as in Finagle and ingress-nginx). Two candidates drawn at random; the one with the lower cost
-- wins, where cost = its decayed EWMA response time x (requests in flight + 1). A slow peer is avoided at once
-- (peak sensitivity), an idle one is tried again as its EWMA decays. Each worker uses its own EWMA and in-flight
-- counts (the responses it saw), as each Finagle client does: no shared-dict call per request.
local stats = require('ecom.stats')
local ewma = stats.ewma
local random = math.random

-- A floor under the EWMA (seconds), so a peer with no samples yet is not free however many requests it holds.
local FLOOR = 0.0005

local function cost(peer, now)
  local st = peer.state
  return ((ewma(st, now) or 0) + FLOOR) * (st.infl + 1)
end

return {
  pick = function(_, candidates, n, now)
    if n == 1 then return candidates[1] end
    local a = random(n)
    local b = random(n - 1)
    if b >= a then b = b + 1 end
    local pa, pb = candidates[a], candidates[b]
    if cost(pb, now) < cost(pa, now) then return pb end
    return pa
  end,
}
