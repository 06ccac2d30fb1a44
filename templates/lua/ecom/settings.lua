-- The gateway's settings, filled once by ecom.init from the rendered nginx.conf (a reload re-reads them).
return {
  -- round_robin, least_conn, ip_hash or ewma
  balance = 'least_conn',
  -- A peer that failed this many times within fail_timeout is left out for fail_timeout (nginx's max_fails).
  max_fails = 1,
  -- seconds
  fail_timeout = 2,
  -- At most this many peers are tried per request (nginx's proxy_next_upstream_tries).
  tries = 3,
  -- The cluster token the admin location requires; nil refuses every admin call.
  token = nil,
}
