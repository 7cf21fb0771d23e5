-- A small pure-Lua JSON reader and writer for the Rushes menu scripts.
-- Resolve's Lua is LuaJIT (5.1) and ships no JSON library. Arrays are tables with keys 1..n;
-- an empty table is written as []. Decoded JSON null becomes rushes_json.null.
local M = { null = setmetatable({}, { __tostring = function() return "null" end }) }

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n',
                  ['\r'] = '\\r', ['\t'] = '\\t' }

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true, n
end

local encode
function encode(v, out)
  local kind = type(v)
  if v == nil or v == M.null then out[#out + 1] = 'null'
  elseif kind == 'boolean' then out[#out + 1] = v and 'true' or 'false'
  elseif kind == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then error('cannot write ' .. tostring(v) .. ' as JSON') end
    if v == math.floor(v) and math.abs(v) < 2^53 then out[#out + 1] = string.format('%d', v)
    else out[#out + 1] = string.format('%.17g', v) end
  elseif kind == 'string' then out[#out + 1] = encode_string(v)
  elseif kind == 'table' then
    local array, n = is_array(v)
    if array then
      out[#out + 1] = '['
      for i = 1, n do
        if i > 1 then out[#out + 1] = ',' end
        encode(v[i], out)
      end
      out[#out + 1] = ']'
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      out[#out + 1] = '{'
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = ',' end
        out[#out + 1] = encode_string(k) .. ':'
        local value = v[k]
        if value == nil then value = v[tonumber(k)] end
        encode(value, out)
      end
      out[#out + 1] = '}'
    end
  else error('cannot write a ' .. kind .. ' as JSON') end
end

function M.encode(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end

local function utf8_char(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then return string.char(0xC0 + math.floor(code / 64), 0x80 + code % 64) end
  if code < 0x10000 then
    return string.char(0xE0 + math.floor(code / 4096), 0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
  end
  return string.char(0xF0 + math.floor(code / 262144), 0x80 + math.floor(code / 4096) % 64,
                     0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
end

function M.decode(text)
  local pos = 1
  local function fail(what) error(string.format('JSON: %s at character %d', what, pos)) end
  local function skip() pos = text:find('[^ \t\r\n]', pos) or #text + 1 end
  local value
  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = text:sub(pos, pos)
      if c == '' then fail('unterminated string') end
      if c == '"' then pos = pos + 1; return table.concat(out) end
      if c == '\\' then
        local e = text:sub(pos + 1, pos + 1)
        local simple = ({ ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' })[e]
        if simple then out[#out + 1] = simple; pos = pos + 2
        elseif e == 'u' then
          local code = tonumber(text:sub(pos + 2, pos + 5), 16) or fail('bad \\u escape')
          pos = pos + 6
          if code >= 0xD800 and code < 0xDC00 and text:sub(pos, pos + 1) == '\\u' then
            local low = tonumber(text:sub(pos + 2, pos + 5), 16) or fail('bad \\u escape')
            code = 0x10000 + (code - 0xD800) * 1024 + (low - 0xDC00)
            pos = pos + 6
          end
          out[#out + 1] = utf8_char(code)
        else fail('bad escape') end
      else
        local stop = text:find('["\\]', pos) or fail('unterminated string')
        out[#out + 1] = text:sub(pos, stop - 1)
        pos = stop
      end
    end
  end
  function value()
    skip()
    local c = text:sub(pos, pos)
    if c == '{' then
      local t = {}
      pos = pos + 1; skip()
      if text:sub(pos, pos) == '}' then pos = pos + 1; return t end
      while true do
        skip()
        if text:sub(pos, pos) ~= '"' then fail('expected a key') end
        local k = str()
        skip()
        if text:sub(pos, pos) ~= ':' then fail("expected ':'") end
        pos = pos + 1
        t[k] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == '}' then return t end
        if d ~= ',' then fail("expected ',' or '}'") end
      end
    elseif c == '[' then
      local t = {}
      pos = pos + 1; skip()
      if text:sub(pos, pos) == ']' then pos = pos + 1; return t end
      while true do
        t[#t + 1] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == ']' then return t end
        if d ~= ',' then fail("expected ',' or ']'") end
      end
    elseif c == '"' then return str()
    elseif text:sub(pos, pos + 3) == 'true' then pos = pos + 4; return true
    elseif text:sub(pos, pos + 4) == 'false' then pos = pos + 5; return false
    elseif text:sub(pos, pos + 3) == 'null' then pos = pos + 4; return M.null
    else
      local num = text:match('^-?%d+%.?%d*[eE]?[-+]?%d*', pos)
      if not num or num == '' then fail('unexpected character') end
      pos = pos + #num
      return tonumber(num) or fail('bad number')
    end
  end
  local result = value()
  skip()
  if pos <= #text then fail('trailing characters') end
  return result
end

return M
