-- Per-peer figures shared by every worker (the ecom_stats shared dict): requests sent, failures, requests in flight,
-- the peak-EWMA of response times and passive-health ejection. Keys are '<field>|<address>'.
local settings = require('ecom.settings')

local dict = ngx.shared.ecom_stats
local exp, max = math.exp, math.max
local _M = {}

-- How fast an EWMA forgets, in seconds (ingress-nginx and Finagle use 10): short, so that one slow answer of a
-- fast peer (a GC pause, a busy host) does not send its traffic to a peer that is slow all the time for seconds.
local DECAY = 1
-- The least weight of a new sample, so a peer answering many requests a millisecond apart still converges in a few
-- samples, not only with time.
local MIN_WEIGHT = 0.1

--- One more request (or retry) sent to the peer.
function _M.started(key)
  dict:incr('req|' .. key, 1, 0)
  dict:incr('infl|' .. key, 1, 0)
end

--- That request (or retry) is over, however it ended.
function _M.finished(key)
  local n = dict:incr('infl|' .. key, -1, 0)
  if n and n < 0 then dict:set('infl|' .. key, 0) end
end

--- Requests in flight to the peer, across workers.
function _M.in_flight(key)
  return dict:get('infl|' .. key) or 0
end

--- The peer failed (connection error, timeout, 502 or 504): counted, and ejected for fail_timeout once it failed
--- max_fails times within fail_timeout.
function _M.failed(key)
  dict:incr('fail|' .. key, 1, 0)
  local recent = dict:incr('fw|' .. key, 1, 0, settings.fail_timeout)
  if recent and recent >= settings.max_fails then
    dict:set('ej|' .. key, ngx.now() + settings.fail_timeout, settings.fail_timeout)
  end
end

--- Seconds left of the peer's ejection (0 when it is in rotation).
function _M.ejected_for(key)
  local untl = dict:get('ej|' .. key)
  return untl and max(0, untl - ngx.now()) or 0
end

--- The peer's EWMA in seconds as of now, decayed towards 0 for the time since its last sample (an idle peer
--- that was slow gets tried again); nil before its first sample.
function _M.ewma(key)
  local value = dict:get('ewma|' .. key)
  if not value then return nil end
  local td = max(0, ngx.now() - (dict:get('ewmat|' .. key) or 0))
  return value * exp(-td / DECAY)
end

--- A response time sample in seconds: peak-sensitive (a slower sample replaces the average at once), otherwise
--- blended in by how long ago the last sample came (at least MIN_WEIGHT). Unlocked: two workers racing lose one
--- sample, no more.
function _M.observe(key, rtt)
  local now = ngx.now()
  local value = dict:get('ewma|' .. key)
  if value and rtt < value then
    local td = max(0, now - (dict:get('ewmat|' .. key) or now))
    local w = math.min(exp(-td / DECAY), 1 - MIN_WEIGHT)
    value = value * w + rtt * (1 - w)
  else
    value = rtt
  end
  dict:set('ewma|' .. key, value)
  dict:set('ewmat|' .. key, now)
end

local FIELDS = { 'req|', 'fail|', 'fw|', 'ej|', 'ewma|', 'ewmat|' }

--- Drops the figures of peers no longer listed (their in-flight count stays until it drains).
function _M.forget_removed(old, new)
  for name, list in pairs(old.services) do
    local keep = {}
    for _, p in ipairs(new.services[name] or {}) do keep[p.key] = true end
    for _, p in ipairs(list) do
      if not keep[p.key] then
        for _, f in ipairs(FIELDS) do dict:delete(f .. p.key) end
        if _M.in_flight(p.key) == 0 then dict:delete('infl|' .. p.key) end
      end
    end
  end
end

--- A new peer starts at its service's average EWMA, so a latency-aware balancer does not flood it before it
--- answered once (ingress-nginx does the same).
function _M.slow_start(table_)
  for _, list in pairs(table_.services) do
    local sum, n, fresh = 0, 0, {}
    for _, p in ipairs(list) do
      local e = dict:get('ewma|' .. p.key)
      if e then sum, n = sum + e, n + 1 else fresh[#fresh + 1] = p.key end
    end
    if n > 0 then
      for _, key in ipairs(fresh) do
        dict:set('ewma|' .. key, sum / n)
        dict:set('ewmat|' .. key, ngx.now())
      end
    end
  end
end

--- Every listed peer's figures, for the admin location's GET /stats.
function _M.snapshot(table_)
  local out = {}
  for name, list in pairs(table_.services) do
    for _, p in ipairs(list) do
      local e = _M.ewma(p.key)
      local ej = _M.ejected_for(p.key)
      out[#out + 1] = {
        service = name,
        id = p.id,
        address = p.address,
        requests = dict:get('req|' .. p.key) or 0,
        failures = dict:get('fail|' .. p.key) or 0,
        inFlight = _M.in_flight(p.key),
        ewmaMs = e and math.floor(e * 1000 * 100 + 0.5) / 100 or ngx.null,
        ejected = ej > 0,
        ejectedForMs = math.floor(ej * 1000),
      }
    end
  end
  return out
end

return _M
