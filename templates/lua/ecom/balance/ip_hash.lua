-- ip_hash: the same client address (IPv4: its first three octets, as nginx's ip_hash) keeps its peer while the
-- candidate list is unchanged.
return {
  pick = function(_, candidates, n)
    local addr = ngx.var.binary_remote_addr or ''
    if #addr == 4 then addr = addr:sub(1, 3) end
    return candidates[ngx.crc32_short(addr) % n + 1]
  end,
}
