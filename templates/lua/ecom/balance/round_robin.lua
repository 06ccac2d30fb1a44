-- round_robin: the candidates in turn, one counter per service in each worker (as nginx's own round robin without
-- a shared zone).
local turn = {}

return {
  pick = function(service, candidates, n)
    local k = (turn[service] or 0) + 1
    turn[service] = k
    return candidates[k % n + 1]
  end,
}
