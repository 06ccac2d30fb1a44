-- The admin location (its own server on 127.0.0.1): PUT /peers replaces the peer table, GET /stats reports it with
-- every peer's figures. Both need `Authorization: Bearer <cluster token>`.
local json = require('ecom.json')
local peers = require('ecom.peers')
local settings = require('ecom.settings')
local stats = require('ecom.stats')

local _M = {}

local function reply(status, body)
  ngx.status = status
  ngx.header['Content-Type'] = 'application/json'
  ngx.print(json.encode(body))
  return ngx.exit(ngx.HTTP_OK)
end

local function refuse(status, code, message)
  return reply(status, { error = { code = code, message = message } })
end

--- Same length and same bytes, comparing every byte whatever the first difference.
local function same(a, b)
  if type(a) ~= 'string' or type(b) ~= 'string' or #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = bit.bor(diff, bit.bxor(a:byte(i), b:byte(i))) end
  return diff == 0
end

local function authorized()
  local header = ngx.var.http_authorization or ''
  return settings.token ~= nil and same(header, 'Bearer ' .. settings.token)
end

--- PUT /peers {index, services: {name: [{id, host, port}]}}
function _M.peers()
  if not authorized() then return refuse(401, 'unauthorized', 'the cluster token is required') end
  if ngx.req.get_method() ~= 'PUT' then return refuse(405, 'method_not_allowed', 'PUT the peer table') end
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then return refuse(400, 'invalid_body', 'expected a JSON body') end
  local ok, err = peers.replace(body)
  if not ok then return refuse(400, 'invalid_body', err) end
  return reply(200, { index = peers.current().index })
end

--- GET /stats: the peer table's index, reloads since nginx started, the worker answering, and every peer's figures
--- (this worker's up to now, the other workers' as of their last flush, at most a second ago).
function _M.stats()
  if not authorized() then return refuse(401, 'unauthorized', 'the cluster token is required') end
  if ngx.req.get_method() ~= 'GET' then return refuse(405, 'method_not_allowed', 'GET the figures') end
  local current = peers.current()
  stats.flush()
  local list = stats.snapshot(current)
  table.sort(list, function(a, b)
    if a.service ~= b.service then return a.service < b.service end
    return a.id < b.id
  end)
  return reply(200, {
    index = current.index,
    balance = settings.balance,
    reloads = ngx.shared.ecom_peers:get('reloads') or 0,
    worker = ngx.worker.pid(),
    peers = setmetatable(list, json.array),
  })
end

return _M
