-- least_conn: the candidate with the fewest requests in flight across all workers (the shared count); ties go in
-- turn, one counter per service in each worker.
local stats = require('ecom.stats')
local shared_in_flight = stats.shared_in_flight
local turn = {}

return {
  pick = function(service, candidates, n)
    local start = (turn[service] or 0) + 1
    turn[service] = start
    local best, best_load
    for i = 0, n - 1 do
      local peer = candidates[(start + i) % n + 1]
      local load = shared_in_flight(peer.state)
      if not best or load < best_load then best, best_load = peer, load end
    end
    return best
  end,
}
