-- The upstream peer of each request (balancer_by_lua) and its bookkeeping afterwards (log_by_lua). Peers come
-- from the shared peer table, so instances come and go without an nginx reload. A peer that failed is left out for
-- fail_timeout; a retry (as proxy_next_upstream allows) goes to a peer not tried yet for this request.
local ngx_balancer = require('ngx.balancer')
local peers = require('ecom.peers')
local settings = require('ecom.settings')
local stats = require('ecom.stats')

local METHODS = {
  round_robin = require('ecom.balance.round_robin'),
  least_conn = require('ecom.balance.least_conn'),
  ewma = require('ecom.balance.ewma'),
  ip_hash = require('ecom.balance.ip_hash'),
}

local _M = {}

--- The peers worth trying: not tried by this request and not ejected; else not tried; else all of them.
local function candidates(list, tried)
  local fresh, healthy = {}, {}
  for _, p in ipairs(list) do
    if not tried[p.key] then
      fresh[#fresh + 1] = p
      if stats.ejected_for(p.key) == 0 then healthy[#healthy + 1] = p end
    end
  end
  if #healthy > 0 then return healthy end
  if #fresh > 0 then return fresh end
  return list
end

--- balancer_by_lua: picks and sets the peer of this attempt of a request to `service`.
function _M.balance(service)
  local list = peers.of(service)
  if #list == 0 then
    ngx.log(ngx.WARN, 'no ', service, ' peer')
    return ngx.exit(502)
  end
  local ctx = ngx.ctx
  local tried = ctx.ecom_tried
  if not tried then
    tried = {}
    ctx.ecom_tried = tried
    ctx.ecom_order = {}
    local more = math.min(#list, settings.tries) - 1
    if more > 0 then ngx_balancer.set_more_tries(more) end
  else
    -- A retry: the previous attempt failed in a way proxy_next_upstream retries on.
    local state, code = ngx_balancer.get_last_failure()
    local last = ctx.ecom_order[#ctx.ecom_order]
    if last and (state == 'failed' or code == 502 or code == 504) then stats.failed(last) end
  end
  local method = METHODS[settings.balance] or METHODS.least_conn
  local peer = method.pick(service, candidates(list, tried))
  tried[peer.key] = true
  local ok, err = ngx_balancer.set_current_peer(peer.host, peer.port)
  if not ok then
    ngx.log(ngx.ERR, 'cannot set the peer ', peer.address, ': ', err)
    return ngx.exit(502)
  end
  ctx.ecom_order[#ctx.ecom_order + 1] = peer.key
  stats.started(peer.key)
end

--- Splits nginx's per-attempt lists ("a, b : c") into their items.
local function items(value)
  local out = {}
  for item in string.gmatch(value or '', '[^,%s]+') do
    if item ~= ':' then out[#out + 1] = item end
  end
  return out
end

--- log_by_lua: every attempt of the request is over. $upstream_addr names each attempt's peer (ngx.ctx would not do:
--- an error_page redirect clears it), so each one's in-flight count goes down; the last attempt's response time feeds
--- the EWMA, or its failure the passive health (earlier attempts were counted when they were retried).
function _M.log()
  local addrs = items(ngx.var.upstream_addr)
  if #addrs == 0 then return end
  for _, addr in ipairs(addrs) do stats.finished(addr) end
  local last = addrs[#addrs]
  local status = items(ngx.var.upstream_status)
  local times = items(ngx.var.upstream_response_time)
  local code = tonumber(status[#status])
  if code == 502 or code == 504 then
    stats.failed(last)
  else
    local rtt = tonumber(times[#times])
    if rtt then stats.observe(last, rtt) end
  end
end

return _M
