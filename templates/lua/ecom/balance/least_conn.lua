-- least_conn: the candidate with the fewest requests in flight across all workers; ties go in turn.
local stats = require('ecom.stats')
local dict = ngx.shared.ecom_stats

return {
  pick = function(service, candidates)
    local n = #candidates
    local start = (dict:incr('rr|' .. service, 1, 0) or 0) % n
    local best, best_load
    for i = 0, n - 1 do
      local peer = candidates[(start + i) % n + 1]
      local load = stats.in_flight(peer.key)
      if not best or load < best_load then best, best_load = peer, load end
    end
    return best
  end,
}
