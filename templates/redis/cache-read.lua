-- Reads one cache entry together with the generations that name it, in one round trip.
-- KEYS[1]: the namespace's generation counter; KEYS[2]: the entry's generation counter;
-- KEYS[3]: the prefix of the entry's value keys, completed by '<namespace generation>:<entry generation>'.
-- Returns {namespace generation, entry generation, value}; the value is left out when there is none.
local ng = redis.call('GET', KEYS[1]) or '0'
local kg = redis.call('GET', KEYS[2]) or '0'
return {ng, kg, redis.call('GET', KEYS[3] .. ng .. ':' .. kg)}
