import { LuaScript, REDIS_NOW } from './lua-scripts.js'

// The session's mailbox (`SessionStore.storeAnswer`): the hash `<prefix>:{<sid>}:an`, key →
// "<expiry ms on the Redis clock> <message JSON>". Like every script of the adapter, these take the
// session's record as their one key and build the mailbox's key from it (same hash slot).

/**
 * ARGV: key, message, ttl, most kept, most bytes in all. 1 when stored, 0 when the session is gone
 * or the message alone is over the bytes. Drops the messages that ran out and, past a bound, those
 * that run out first; the hash expires with its newest message, and never after the session's
 * record.
 */
export const STORE_ANSWER: LuaScript = new LuaScript(`${REDIS_NOW}
local base = KEYS[1]
local ttl, most, most_bytes = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if #ARGV[2] > most_bytes then return 0 end
local left = redis.call('PTTL', base)
if left == -2 then return 0 end
local an = base .. ':an'
local all = redis.call('HGETALL', an)
local kept, bytes = {}, #ARGV[2]
for i = 1, #all, 2 do
  local value = all[i + 1]
  local sp = string.find(value, ' ', 1, true)
  local at = tonumber(string.sub(value, 1, sp - 1))
  if at <= now then
    redis.call('HDEL', an, all[i])
  elseif all[i] ~= ARGV[1] then
    kept[#kept + 1] = {all[i], at, #value - sp}
    bytes = bytes + #value - sp
  end
end
table.sort(kept, function(x, y) return x[2] < y[2] end)
local count = #kept
for _, entry in ipairs(kept) do
  if count < most and bytes <= most_bytes then break end
  redis.call('HDEL', an, entry[1])
  count = count - 1
  bytes = bytes - entry[3]
end
redis.call('HSET', an, ARGV[1], (now + ttl) .. ' ' .. ARGV[2])
local keep = redis.call('PTTL', an)
if keep < ttl then keep = ttl end
if left > 0 and left < keep then keep = left end
redis.call('PEXPIRE', an, keep)
return 1
`)

/** ARGV: keys… {key, message, key, message…} for the messages found that have not run out; all deleted. */
export const TAKE_ANSWERS: LuaScript = new LuaScript(`${REDIS_NOW}
local an = KEYS[1] .. ':an'
local out = {}
for i = 1, #ARGV do
  local value = redis.call('HGET', an, ARGV[i])
  if value then
    redis.call('HDEL', an, ARGV[i])
    local sp = string.find(value, ' ', 1, true)
    if tonumber(string.sub(value, 1, sp - 1)) > now then
      out[#out + 1] = ARGV[i]
      out[#out + 1] = string.sub(value, sp + 1)
    end
  end
end
return out
`)
