import { LuaScript } from './lua-scripts.js'

// The session's mailbox (`SessionStore.storeAnswer`): the hash `<prefix>:{<sid>}:an`, key →
// "<expiry ms on the Redis clock> <message JSON>". Like every script of the adapter, these take the
// session's record as their one key and build the mailbox's key from it (same hash slot).

/**
 * ARGV: key, message, ttl, most kept. 1 when stored, 0 when the session is gone. Drops the
 * messages that ran out and, past the bound, the one that runs out first; the hash expires with
 * its newest message, and never after the session's record.
 */
export const STORE_ANSWER: LuaScript = new LuaScript(`
local base = KEYS[1]
local left = redis.call('PTTL', base)
if left == -2 then return 0 end
local an = base .. ':an'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl, most = tonumber(ARGV[3]), tonumber(ARGV[4])
local all = redis.call('HGETALL', an)
local count, first, first_at = 0, nil, nil
for i = 1, #all, 2 do
  local value = all[i + 1]
  local at = tonumber(string.sub(value, 1, string.find(value, ' ', 1, true) - 1))
  if at <= now then
    redis.call('HDEL', an, all[i])
  elseif all[i] ~= ARGV[1] then
    count = count + 1
    if first_at == nil or at < first_at then first, first_at = all[i], at end
  end
end
if count >= most then redis.call('HDEL', an, first) end
redis.call('HSET', an, ARGV[1], (now + ttl) .. ' ' .. ARGV[2])
local keep = redis.call('PTTL', an)
if keep < ttl then keep = ttl end
if left > 0 and left < keep then keep = left end
redis.call('PEXPIRE', an, keep)
return 1
`)

/** ARGV: keys… {key, message, key, message…} for the messages found that have not run out; all deleted. */
export const TAKE_ANSWERS: LuaScript = new LuaScript(`
local an = KEYS[1] .. ':an'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
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
