-- The upstream peer of each request (balancer_by_lua) and its bookkeeping afterwards (log_by_lua). Peers come
-- from the shared peer table, so instances come and go without an nginx reload. A peer that failed is left out for
-- fail_timeout; a retry (as proxy_next_upstream allows) goes to a peer not tried yet for this request.
-- Every request passes here, so the usual path allocates no table, reads the shared dicts twice (the peer table's
-- version and the ejections' generation; least_conn also its in-flight counts) and nginx variables twice (the log
-- phase's $upstream_addr and $upstream_response_time).
local ngx_balancer = require('ngx.balancer')
local peers = require('ecom.peers')
local settings = require('ecom.settings')
local stats = require('ecom.stats')

local set_current_peer, set_more_tries = ngx_balancer.set_current_peer, ngx_balancer.set_more_tries
local get_last_failure = ngx_balancer.get_last_failure
local ngx_now, ngx_var, find, gmatch, min = ngx.now, ngx.var, string.find, string.gmatch, math.min
local exiting = ngx.worker.exiting

local METHODS = {
  round_robin = require('ecom.balance.round_robin'),
  least_conn = require('ecom.balance.least_conn'),
  ewma = require('ecom.balance.ewma'),
  ip_hash = require('ecom.balance.ip_hash'),
}

local _M = {}

--- Splits nginx's per-attempt lists ("a, b : c") into their items.
local function items(value)
  local out = {}
  for item in gmatch(value or '', '[^,%s]+') do
    if item ~= ':' then out[#out + 1] = item end
  end
  return out
end

-- The candidates of one pick when some are left out (balancing never yields, so one table per worker serves all).
local scratch = {}

--- The peers worth trying and how many: not tried by this request and not ejected; else not tried; else all of them.
--- Without a retry or an ejection that is the list itself.
local function candidates(list, tried, now)
  local count = #list
  if not tried and not stats.any_ejected(now) then return list, count end
  local n = 0
  for i = 1, count do
    local p = list[i]
    if not (tried and tried[p.address]) and p.state.ej_until <= now then
      n = n + 1
      scratch[n] = p
    end
  end
  if n > 0 then return scratch, n end
  for i = 1, count do
    local p = list[i]
    if not (tried and tried[p.address]) then
      n = n + 1
      scratch[n] = p
    end
  end
  if n > 0 then return scratch, n end
  return list, count
end

--- A retry: the peers this request tried already, from $upstream_addr (its attempts so far). The last one failed
--- in a way proxy_next_upstream retries on; nginx reports a connection error as 502 and a timeout as 504, which
--- count against the peer, while a 503 it answered itself does not (nginx's max_fails would count it).
local function tried_so_far(state, code)
  local tried, last = {}, nil
  for _, addr in ipairs(items(ngx_var.upstream_addr)) do
    tried[addr], last = true, addr
  end
  if last and (code == 502 or code == 504 or (state == 'failed' and (code or 0) == 0)) then stats.failed(last, ngx.req.start_time()) end
  return tried
end

--- balancer_by_lua: picks and sets the peer of this attempt of a request to `service`.
function _M.balance(service)
  local list = peers.of(service)
  local count = #list
  if count == 0 then
    ngx.log(ngx.WARN, 'no ', service, ' peer')
    return ngx.exit(502)
  end
  local now = ngx_now()
  local tried
  local state, code = get_last_failure()
  if state == nil then
    local more = min(count, settings.tries) - 1
    if more > 0 then set_more_tries(more) end
  else
    tried = tried_so_far(state, code)
  end
  local cands, n = candidates(list, tried, now)
  local method = METHODS[settings.balance] or METHODS.least_conn
  local peer = method.pick(service, cands, n, now)
  local ok, err = set_current_peer(peer.host, peer.port)
  if not ok then
    ngx.log(ngx.ERR, 'cannot set the peer ', peer.address, ': ', err)
    return ngx.exit(502)
  end
  stats.started(peer.state)
end

--- Counts one finished attempt at `addr`.
local function finished(addr)
  stats.finished(stats.known(addr), addr)
end

--- Counts the attempts named in `addrs`: each one finished; the last one's response time, or its failure.
local function count(addrs)
  if not find(addrs, ' ', 1, true) then
    -- One attempt (the usual case): the request's status is that attempt's.
    finished(addrs)
    local code = ngx.status
    if code == 502 or code == 504 then return stats.failed(addrs, ngx.req.start_time()) end
    local st = stats.known(addrs)
    local rtt = tonumber(ngx_var.upstream_response_time)
    if st and rtt then stats.observe(st, rtt, ngx_now()) end
    return
  end
  local list = items(addrs)
  if #list == 0 then return end
  for _, addr in ipairs(list) do finished(addr) end
  local last = list[#list]
  local status = items(ngx_var.upstream_status)
  local times = items(ngx_var.upstream_response_time)
  local code = tonumber(status[#status])
  if code == 502 or code == 504 then
    stats.failed(last, ngx.req.start_time())
  else
    local st = stats.known(last)
    local rtt = tonumber(times[#times])
    if st and rtt then stats.observe(st, rtt, ngx_now()) end
  end
end

--- log_by_lua: every attempt of the request is over. $upstream_addr names each attempt's peer (ngx.ctx would not do:
--- an error_page redirect clears it), so each one's in-flight count goes down; the last attempt's response time feeds
--- the EWMA, or its failure the passive health (earlier attempts were counted when they were retried). A worker that
--- is shutting down (a reload, a stop) had its last timed flush already: it adds its figures after each request.
function _M.log()
  local addrs = ngx_var.upstream_addr
  if not addrs then return end
  count(addrs)
  if exiting() then stats.flush() end
end

--- Adds this worker's figures to the shared dict (after following the peer table, so removed peers are known).
function _M.flush()
  peers.current()
  stats.flush()
end

return _M
