-- syncmap-redis: the version-checked apply of one chunk of changes (RedisSink's implementation notes explain it).
--
-- KEYS[1]              the epoch marker; the chunk is refused (-1) unless it holds ARGV[1]
-- KEYS[2 .. n+1]       the version keys of the chunk's n changes
-- KEYS[n+2 .. 2n+1]    their value keys
-- ARGV[1]              the epoch marker's expected content
-- ARGV[2]              the tombstone grace in milliseconds
-- ARGV[3]              p: the first p changes are plain (a value, no expiry): two arguments each, version and
--                      value, from ARGV[4]
-- then, for each other change: version, value ('' for a removal), 'D' (removal) or the value's expiry (epoch
--                      ms), the version's expiry (epoch ms, with an expiring value; '' otherwise)
--
-- A version is "<revision, 19 digits>:<stamp, 19 digits>:<origin>". Revisions and stamps are compared as
-- fixed-width decimal strings, never as Lua numbers (doubles lose 64-bit stamps' last digits). The same origin:
-- the higher revision wins; different origins: the higher stamp, then the greater origin (last writer wins).
-- Returns how many changes were applied (the others were older than or equal to what Redis holds).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
local n = (#KEYS - 1) / 2
local stored = redis.call('MGET', unpack(KEYS, 2, n + 1))
local grace = ARGV[2]
local plainCount = tonumber(ARGV[3])
local plain = {}
local p = 0
local applied = 0
for i = 1, n do
  local b
  if i <= plainCount then
    b = 2 + 2 * i
  else
    b = 4 + 2 * plainCount + 4 * (i - plainCount - 1)
  end
  local new = ARGV[b]
  local old = stored[i]
  local newer = true
  if old then
    local oldOrigin = string.sub(old, 41)
    local newOrigin = string.sub(new, 41)
    if oldOrigin == newOrigin then
      newer = string.sub(new, 1, 19) > string.sub(old, 1, 19)
    else
      local oldStamp = string.sub(old, 21, 39)
      local newStamp = string.sub(new, 21, 39)
      newer = newStamp > oldStamp or (newStamp == oldStamp and newOrigin > oldOrigin)
    end
  end
  if newer then
    applied = applied + 1
    local versionKey = KEYS[i + 1]
    local valueKey = KEYS[n + 1 + i]
    local how = i > plainCount and ARGV[b + 2]
    if not how then
      -- MSET below: a plain SET drops any TTL the keys had (an expiring value, a tombstone's grace)
      plain[p + 1] = versionKey
      plain[p + 2] = new
      plain[p + 3] = valueKey
      plain[p + 4] = ARGV[b + 1]
      p = p + 4
    elseif how == 'D' then
      redis.call('DEL', valueKey)
      redis.call('SET', versionKey, new, 'PX', grace)
    else
      redis.call('SET', valueKey, ARGV[b + 1], 'PXAT', how)
      redis.call('SET', versionKey, new, 'PXAT', ARGV[b + 3])
    end
  end
end
if p > 0 then
  redis.call('MSET', unpack(plain))
end
return applied
