-- A small strict JSON codec for the gateway's admin API and peers file (Debian's nginx Lua module ships no cjson).
-- decode() returns nil and a message on malformed input; encode() writes tables with a positive-integer sequence
-- as arrays and every other table as an object (keys as strings).
local byte, sub, find, char, concat = string.byte, string.sub, string.find, string.char, table.concat
local tonumber, tostring, type, pairs, floor = tonumber, tostring, type, pairs, math.floor

local _M = {}

local ESCAPES = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local decode_value

local function skip(s, i)
  local _, e = find(s, '^[ \t\r\n]*', i)
  return e + 1
end

local function utf8(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 + floor(cp / 0x40), 0x80 + cp % 0x40) end
  return char(0xE0 + floor(cp / 0x1000), 0x80 + floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

local function decode_string(s, i)
  local out, start = {}, i + 1
  while true do
    local j = find(s, '["\\%c]', start)
    if not j then return nil, 'unterminated string' end
    local c = sub(s, j, j)
    out[#out + 1] = sub(s, start, j - 1)
    if c == '"' then return concat(out), j + 1 end
    if c ~= '\\' then return nil, 'control character in string' end
    local e = sub(s, j + 1, j + 1)
    if e == 'u' then
      local hex = sub(s, j + 2, j + 5)
      if not find(hex, '^%x%x%x%x$') then return nil, 'bad \\u escape' end
      out[#out + 1] = utf8(tonumber(hex, 16))
      start = j + 6
    elseif ESCAPES[e] then
      out[#out + 1] = ESCAPES[e]
      start = j + 2
    else
      return nil, 'bad escape'
    end
  end
end

local function decode_list(s, i, close, item)
  i = skip(s, i + 1)
  if sub(s, i, i) == close then return i + 1 end
  while true do
    local err
    i, err = item(i)
    if not i then return nil, err end
    i = skip(s, i)
    local c = sub(s, i, i)
    if c == close then return i + 1 end
    if c ~= ',' then return nil, 'expected , or ' .. close end
    i = skip(s, i + 1)
  end
end

decode_value = function(s, i)
  i = skip(s, i)
  local c = sub(s, i, i)
  if c == '{' then
    local obj = {}
    local j, err = decode_list(s, i, '}', function(k)
      if sub(s, k, k) ~= '"' then return nil, 'expected a key' end
      local key, after = decode_string(s, k)
      if not key then return nil, after end
      after = skip(s, after)
      if sub(s, after, after) ~= ':' then return nil, 'expected :' end
      local value, next_i = decode_value(s, after + 1)
      if next_i == nil then return nil, value end
      obj[key] = value
      return next_i
    end)
    if not j then return err, nil end
    return obj, j
  elseif c == '[' then
    local arr = {}
    local j, err = decode_list(s, i, ']', function(k)
      local value, next_i = decode_value(s, k)
      if next_i == nil then return nil, value end
      arr[#arr + 1] = value
      return next_i
    end)
    if not j then return err, nil end
    return arr, j
  elseif c == '"' then
    local str, j = decode_string(s, i)
    if not str then return j, nil end
    return str, j
  end
  local num = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', i)
  if num and num ~= '' and tonumber(num) then return tonumber(num), i + #num end
  for word, value in pairs({ ['true'] = true, ['false'] = false }) do
    if sub(s, i, i + #word - 1) == word then return value, i + #word end
  end
  if sub(s, i, i + 3) == 'null' then return ngx.null, i + 4 end
  return 'unexpected character at ' .. i, nil
end

--- Parses JSON text; returns the value, or nil and what is wrong.
function _M.decode(text)
  if type(text) ~= 'string' then return nil, 'not text' end
  local value, i = decode_value(text, 1)
  if i == nil then return nil, value end
  if skip(text, i) <= #text then return nil, 'trailing characters' end
  return value
end

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local e = ({ ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' })[c]
    return e or string.format('\\u%04x', byte(c))
  end) .. '"'
end

--- Writes a Lua value as JSON text.
function _M.encode(value)
  local t = type(value)
  if t == 'string' then return encode_string(value) end
  if t == 'number' then
    if value ~= value or value == math.huge or value == -math.huge then return 'null' end
    if value == floor(value) and value > -1e15 and value < 1e15 then return string.format('%d', value) end
    return string.format('%.4f', value)
  end
  if t == 'boolean' then return tostring(value) end
  if t ~= 'table' then return 'null' end
  local parts = {}
  if #value > 0 or next(value) == nil and getmetatable(value) == _M.array then
    for k = 1, #value do parts[k] = _M.encode(value[k]) end
    return '[' .. concat(parts, ',') .. ']'
  end
  for k, v in pairs(value) do parts[#parts + 1] = encode_string(tostring(k)) .. ':' .. _M.encode(v) end
  return '{' .. concat(parts, ',') .. '}'
end

--- A metatable marking an empty table as a JSON array (`setmetatable({}, json.array)`).
_M.array = {}

return _M
