-- Start-up of the gateway's Lua side (init_by_lua, in the nginx master, at start and on every reload): settings
-- from nginx.conf, the cluster token from the credentials file, the last peer table from the peers file, and a
-- count of reloads since nginx started (the shared dicts outlive a reload, not a restart).
local json = require('ecom.json')
local peers = require('ecom.peers')
local settings = require('ecom.settings')

local _M = {}

local function read_token(path)
  local file = io.open(path, 'r')
  if not file then return nil end
  local doc = json.decode(file:read('*a'))
  file:close()
  if type(doc) == 'table' and type(doc.clusterToken) == 'string' and #doc.clusterToken >= 16 then return doc.clusterToken end
  return nil
end

--- Called by init_by_lua with the rendered settings and file paths.
function _M.start(opts)
  settings.balance = opts.balance
  settings.max_fails = opts.max_fails
  settings.fail_timeout = opts.fail_timeout
  settings.tries = opts.tries
  settings.token = read_token(opts.credentials)
  if not settings.token then ngx.log(ngx.WARN, 'no cluster token in ', opts.credentials, ': the admin location refuses every call') end
  ngx.shared.ecom_peers:incr('reloads', 1, -1)
  peers.load_file(opts.peers)
end

-- How often each worker adds its per-peer figures to the shared dict that `ecom status` reads (seconds).
local FLUSH_EVERY = 1

--- Called by init_worker_by_lua: each worker draws its own random numbers (the ewma balancer's choices) and adds its
--- figures to the shared dict every FLUSH_EVERY seconds, and once more when it exits (a reload, a stop).
function _M.worker()
  math.randomseed(ngx.now() * 1000 + ngx.worker.pid())
  local balancer = require('ecom.balancer')
  local ok, err = ngx.timer.every(FLUSH_EVERY, function() balancer.flush() end)
  if not ok then ngx.log(ngx.ERR, 'cannot start the figures timer: ', err) end
end

return _M
