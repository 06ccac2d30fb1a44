-- Per-peer figures. The hot path keeps them in this worker's Lua tables, with no shared-dict call: requests sent,
-- requests in flight and the peak-EWMA of response times; flush() adds them to the ecom_stats shared dict (every
-- second, and in the worker answering GET /stats), which `ecom status` reads. What every worker must see at once
-- stays shared: failures and ejections, and least_conn's in-flight counts (counted at the balancer, uncounted in
-- the log phase). Shared keys are '<field>|<address>'.
local settings = require('ecom.settings')

local dict = ngx.shared.ecom_stats
local ngx_now = ngx.now
local exp, max, min = math.exp, math.max, math.min
local _M = {}

-- How fast an EWMA forgets, in seconds (ingress-nginx and Finagle use 10): short, so that one slow answer of a
-- fast peer (a GC pause, a busy host) does not send its traffic to a peer that is slow all the time for seconds.
local DECAY = 1
-- The least weight of a new sample, so a peer answering many requests a millisecond apart still converges in a few
-- samples, not only with time.
local MIN_WEIGHT = 0.1

-- This worker's figures by peer address. `sent_*` is what flush() already added to the shared dict.
local states = {}
-- Ejections as this worker last read them: the shared generation and the latest end of any.
local ej_gen, ej_latest = -1, 0

--- This worker's figures of the peer at `addr` (created empty on first use).
function _M.state(addr)
  local st = states[addr]
  if st then return st end
  st = {
    addr = addr, req = 0, sent_req = 0, infl = 0, sent_infl = 0, ewma = nil, ewmat = 0, sent_ewmat = 0,
    ej_until = 0, listed = true,
    k_req = 'req|' .. addr, k_infl = 'infl|' .. addr, k_ewma = 'ewma|' .. addr, k_ewmat = 'ewmat|' .. addr,
    k_ej = 'ej|' .. addr,
  }
  states[addr] = st
  return st
end

--- This worker's figures of `addr` if it has any (the log phase: no table for an address it never picked).
function _M.known(addr)
  return states[addr]
end

--- One more request (or retry) sent to the peer.
function _M.started(st)
  st.req = st.req + 1
  st.infl = st.infl + 1
  if settings.balance == 'least_conn' then dict:incr(st.k_infl, 1, 0) end
end

--- That request (or retry) is over, however it ended. `addr` names a peer this worker no longer has figures of.
function _M.finished(st, addr)
  if st and st.infl > 0 then st.infl = st.infl - 1 end
  if settings.balance == 'least_conn' then
    local key = st and st.k_infl or 'infl|' .. addr
    local n = dict:incr(key, -1, 0)
    if n and n < 0 then dict:set(key, 0) end
  end
end

--- Requests in flight to the peer across all workers (least_conn's shared count).
function _M.shared_in_flight(st)
  return dict:get(st.k_infl) or 0
end

--- The peer failed (connection error, timeout, 502 or 504) on a request that began at `began` (ngx.req.start_time()):
--- counted, and ejected for fail_timeout once it failed max_fails times within fail_timeout; every worker sees the
--- ejection at its next request. A request that began before the address was listed again met the instance that
--- had it before (killed, and replaced on the same address): that failure is not the new instance's.
function _M.failed(addr, began)
  local since = dict:get('since|' .. addr)
  if began and since and began < since then return end
  dict:incr('fail|' .. addr, 1, 0)
  local recent = dict:incr('fw|' .. addr, 1, 0, settings.fail_timeout)
  if recent and recent >= settings.max_fails then
    local untl = ngx_now() + settings.fail_timeout
    dict:set('ej|' .. addr, untl, settings.fail_timeout)
    dict:incr('ejgen', 1, 0)
    local st = states[addr]
    if st then st.ej_until = untl end
    ej_latest = max(ej_latest, untl)
  end
end

--- Whether any peer may be ejected as of `now`: one shared-dict read, and every peer's ejection read again only
--- when some worker ejected a peer since.
function _M.any_ejected(now)
  local gen = dict:get('ejgen') or 0
  if gen ~= ej_gen then
    ej_gen, ej_latest = gen, 0
    for _, st in pairs(states) do
      st.ej_until = dict:get(st.k_ej) or 0
      ej_latest = max(ej_latest, st.ej_until)
    end
  end
  return ej_latest > now
end

--- This worker's EWMA of the peer in seconds as of `now`, decayed towards 0 for the time since its last sample (an
--- idle peer that was slow gets tried again); nil before its first sample.
function _M.ewma(st, now)
  local value = st.ewma
  if not value then return nil end
  return value * exp(-max(0, now - st.ewmat) / DECAY)
end

--- A response time sample in seconds: peak-sensitive (a slower sample replaces the average at once), otherwise
--- blended in by how long ago the last sample came (at least MIN_WEIGHT).
function _M.observe(st, rtt, now)
  local value = st.ewma
  if value and rtt < value then
    local w = min(exp(-max(0, now - st.ewmat) / DECAY), 1 - MIN_WEIGHT)
    value = value * w + rtt * (1 - w)
  else
    value = rtt
  end
  st.ewma, st.ewmat = value, now
end

--- Follows a new peer table in this worker: marks who is listed, drops figures of unlisted peers with nothing in
--- flight, and starts a new peer at its service's average EWMA, so a latency-aware balancer does not flood it before
--- it answered once (ingress-nginx does the same). Each peer of `table_` gets its `state`.
function _M.follow(table_)
  local now = ngx_now()
  for _, st in pairs(states) do st.listed = false end
  for _, list in pairs(table_.services) do
    local sum, n = 0, 0
    for _, p in ipairs(list) do
      p.state = _M.state(p.address)
      p.state.listed = true
      if p.state.ewma then sum, n = sum + p.state.ewma, n + 1 end
    end
    for _, p in ipairs(list) do
      if n > 0 and not p.state.ewma then p.state.ewma, p.state.ewmat = sum / n, now end
    end
  end
  for addr, st in pairs(states) do
    if not st.listed and st.infl == 0 and st.sent_infl == 0 then states[addr] = nil end
  end
  ej_gen = -1
end

--- Adds this worker's figures since the last flush to the shared dict (in-flight counts of peers no longer listed
--- too, so they drain); the peer table's removals dropped those peers' other figures already.
function _M.flush()
  local shared_infl = settings.balance == 'least_conn'
  for addr, st in pairs(states) do
    if not shared_infl and st.infl ~= st.sent_infl then
      local n = dict:incr(st.k_infl, st.infl - st.sent_infl, 0)
      if n and n < 0 then dict:set(st.k_infl, 0) end
      st.sent_infl = st.infl
    end
    if st.listed then
      if st.req ~= st.sent_req then
        dict:incr(st.k_req, st.req - st.sent_req, 0)
        st.sent_req = st.req
      end
      if st.ewma and st.ewmat ~= st.sent_ewmat then
        dict:set(st.k_ewma, st.ewma)
        dict:set(st.k_ewmat, st.ewmat)
        st.sent_ewmat = st.ewmat
      end
    elseif st.infl == 0 and st.sent_infl == 0 then
      states[addr] = nil
    end
  end
end

local FIELDS = { 'req|', 'fail|', 'fw|', 'ej|', 'ewma|', 'ewmat|', 'since|' }

--- Drops the shared figures of peers no longer listed (their in-flight count stays until it drains), and notes when
--- each address the new table adds was listed (see failed).
function _M.follow_changes(old, new)
  local had = {}
  for _, list in pairs(old.services) do
    for _, p in ipairs(list) do had[p.address] = true end
  end
  for _, list in pairs(new.services) do
    for _, p in ipairs(list) do
      if not had[p.address] then dict:set('since|' .. p.address, ngx.now()) end
    end
  end
  for name, list in pairs(old.services) do
    local keep = {}
    for _, p in ipairs(new.services[name] or {}) do keep[p.address] = true end
    for _, p in ipairs(list) do
      if not keep[p.address] then
        for _, f in ipairs(FIELDS) do dict:delete(f .. p.address) end
        if (dict:get('infl|' .. p.address) or 0) == 0 then dict:delete('infl|' .. p.address) end
      end
    end
  end
end

--- Seconds left of the peer's ejection (0 when it is in rotation), from the shared dict.
local function ejected_for(addr)
  local untl = dict:get('ej|' .. addr)
  return untl and max(0, untl - ngx_now()) or 0
end

--- Every listed peer's figures as the shared dict holds them, for the admin location's GET /stats.
function _M.snapshot(table_)
  local out = {}
  local now = ngx_now()
  for name, list in pairs(table_.services) do
    for _, p in ipairs(list) do
      local e = dict:get('ewma|' .. p.address)
      if e then e = e * exp(-max(0, now - (dict:get('ewmat|' .. p.address) or now)) / DECAY) end
      local ej = ejected_for(p.address)
      out[#out + 1] = {
        service = name,
        id = p.id,
        address = p.address,
        requests = dict:get('req|' .. p.address) or 0,
        failures = dict:get('fail|' .. p.address) or 0,
        inFlight = max(0, dict:get('infl|' .. p.address) or 0),
        ewmaMs = e and math.floor(e * 1000 * 100 + 0.5) / 100 or ngx.null,
        ejected = ej > 0,
        ejectedForMs = math.floor(ej * 1000),
      }
    end
  end
  return out
end

return _M
