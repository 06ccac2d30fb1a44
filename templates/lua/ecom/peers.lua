-- The peer table: every service's instances, pushed by ecom's proxy sync (or read from the peers file when nginx
-- starts or reloads), kept in the ecom_peers shared dict so every worker sees the same list. Each worker keeps a
-- decoded copy, its peers linked to this worker's figures (ecom.stats), and decodes again only when the table's
-- version moved: one shared-dict read per call.
local json = require('ecom.json')
local stats = require('ecom.stats')

local dict = ngx.shared.ecom_peers
local _M = {}

local cached_version, cached = -1, { index = 0, services = {} }

local function valid_host(host)
  return type(host) == 'string' and #host <= 253 and (host:find('^[%w%.%-]+$') or host:find('^[%x:%.]+$')) ~= nil
end

--- The address key of a peer, as nginx writes it in $upstream_addr.
function _M.address(host, port)
  if host:find(':', 1, true) then return '[' .. host .. ']:' .. port end
  return host .. ':' .. port
end

--- Checks a decoded peer document; returns it normalised ({index, services = {name = {{id, host, port, address}}}}) or
--- nil and what is wrong.
local function normalise(doc)
  if type(doc) ~= 'table' or type(doc.services) ~= 'table' then return nil, 'expected {index, services}' end
  local out = { index = tonumber(doc.index) or 0, services = {} }
  for name, list in pairs(doc.services) do
    if type(name) ~= 'string' or not name:find('^[%w_-]+$') or type(list) ~= 'table' then
      return nil, 'bad service ' .. tostring(name)
    end
    local peers = {}
    for i, p in ipairs(list) do
      local port = tonumber(type(p) == 'table' and p.port)
      if type(p) ~= 'table' or not valid_host(p.host) or not port or port < 1 or port > 65535 or port % 1 ~= 0 then
        return nil, 'bad peer ' .. i .. ' of ' .. name
      end
      local address = _M.address(p.host, port)
      -- Figures are kept by address (no two instances share one), which the log phase reads from $upstream_addr.
      peers[i] = { id = tonumber(p.id) or 0, host = p.host, port = port, address = address }
    end
    out.services[name] = peers
  end
  return out
end

--- Replaces the peer table with JSON text; returns true, or nil and why it was refused.
function _M.replace(text)
  local doc, err = json.decode(text)
  if doc == nil then return nil, 'invalid JSON: ' .. tostring(err) end
  local table_, why = normalise(doc)
  if not table_ then return nil, why end
  local old = _M.current()
  local ok, set_err = dict:set('doc', text)
  if not ok then return nil, 'cannot store the peer table: ' .. tostring(set_err) end
  dict:incr('version', 1, 0)
  stats.follow_changes(old, table_)
  return true
end

--- The current peer table (decoded once per version per worker).
function _M.current()
  local version = dict:get('version') or 0
  if version ~= cached_version then
    local doc = normalise(json.decode(dict:get('doc') or '') or {})
    cached = doc or { index = 0, services = {} }
    cached_version = version
    stats.follow(cached)
  end
  return cached
end

local NONE = {}

--- A service's peers (an empty list when it has none).
function _M.of(service)
  return _M.current().services[service] or NONE
end

--- Loads the peers file written by the proxy sync, if there is one (at start and on every reload).
function _M.load_file(path)
  local file = io.open(path, 'r')
  if not file then return end
  local text = file:read('*a')
  file:close()
  local ok, err = _M.replace(text)
  if not ok then ngx.log(ngx.ERR, 'ignoring the peers file ', path, ': ', err) end
end

return _M
