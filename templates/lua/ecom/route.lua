-- access_by_lua of each API location: a service without peers is answered 503 no_instances by the gateway itself,
-- as the reload-mode config does with a fixed location.
local peers = require('ecom.peers')

local _M = {}

--- Lets the request through when `service` has a peer; answers 503 no_instances otherwise.
function _M.need(service)
  if #peers.of(service) > 0 then return end
  ngx.status = 503
  ngx.header['Content-Type'] = 'application/json'
  ngx.print('{"error":{"code":"no_instances","message":"no ', service, ' instance is registered"}}')
  return ngx.exit(ngx.HTTP_OK)
end

return _M
