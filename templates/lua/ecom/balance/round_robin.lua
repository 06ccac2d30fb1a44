-- round_robin: the candidates in turn, one counter per service shared by all workers.
local dict = ngx.shared.ecom_stats

return {
  pick = function(service, candidates)
    local n = dict:incr('rr|' .. service, 1, 0) or 0
    return candidates[n % #candidates + 1]
  end,
}
