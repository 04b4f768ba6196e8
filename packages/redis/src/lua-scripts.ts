/** A Lua script run with `EVALSHA`, its SHA1 computed once with Web Crypto. */
export class LuaScript {
  readonly source: string
  #sha1: Promise<string> | undefined
  /** The SHA1 once {@link sha1} has computed it. */
  known: string | undefined

  constructor(source: string) {
    this.source = source
  }

  sha1(): Promise<string> {
    this.#sha1 ??= crypto.subtle
      .digest('SHA-1', new TextEncoder().encode(this.source))
      .then((digest) => {
        this.known = [...new Uint8Array(digest)]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('')
        return this.known
      })
    return this.#sha1
  }
}

// Every script gets one key, the session's record `<prefix>:{<sessionId>}`, and builds the other
// keys of the session from it (same hash slot). Replies are integers, strings and flat arrays only,
// so they read the same under RESP2 and RESP3 and in every client.

/**
 * Keeps a session alive at least `ttl` ms from now. Every key of the session shares the record's
 * expiry: a full refresh sets all of them to 1.5 times `ttl`, and is skipped while the record has
 * between 1 and 1.5 times `ttl` left, so a busy session pays for it once per half TTL instead of on
 * every touch (2 PEXPIRE per stream, up to the ended streams kept plus the live ones). An idle
 * session thus expires between `ttl` and 1.5 times `ttl` after its last touch. Keys created
 * between full refreshes take the record's remaining time (when a stream opens, or the list of
 * ended streams is created); a key that exists keeps its expiry when written.
 *
 * The record's hash also holds the session's request ids in flight (`r:<key>` → instance) and its
 * stream ids (`s:<streamId>`), so that neither needs a key of its own with an expiry to keep.
 */
const REFRESH = `
local function refresh(base, ttl, left)
  local full = math.floor(tonumber(ttl) * 1.5)
  if left >= tonumber(ttl) and left <= full then return left end
  redis.call('PEXPIRE', base, full)
  redis.call('HSET', base, 'ttl', ttl)
  redis.call('PEXPIRE', base .. ':ended', full)
  for _, f in ipairs(redis.call('HKEYS', base)) do
    if string.sub(f, 1, 2) == 's:' then
      local s = string.sub(f, 3)
      redis.call('PEXPIRE', base .. ':e:' .. s, full)
      redis.call('PEXPIRE', base .. ':m:' .. s, full)
    end
  end
  return full
end
`

/**
 * Claims the request keys ARGV[first…] for instance in the record's hash. False, with nothing
 * written, when one is already in flight or repeated.
 */
const CLAIM_FN = `
local function claim(base, first, instance)
  if #ARGV < first then return true end
  if #ARGV == first then
    return redis.call('HSETNX', base, 'r:' .. ARGV[first], instance) == 1
  end
  local seen = {}
  for i = first, #ARGV do
    if seen[ARGV[i]] or redis.call('HEXISTS', base, 'r:' .. ARGV[i]) == 1 then return false end
    seen[ARGV[i]] = true
  end
  for i = first, #ARGV do redis.call('HSET', base, 'r:' .. ARGV[i], instance) end
  return true
end
`

/** ARGV: ttl, fixed JSON, replay JSON, version. 1 when created, 0 when the id exists. */
export const CREATE: LuaScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'rec', ARGV[2], 'replay', ARGV[3], 'v', ARGV[4], 'ttl', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`)

/** ARGV: ttl, instance, request keys… The version, -1 gone, -2 duplicate (nothing claimed). */
export const TOUCH: LuaScript = new LuaScript(`${REFRESH}${CLAIM_FN}
local base = KEYS[1]
local left = redis.call('PTTL', base)
if left == -2 then return -1 end
if not claim(base, 3, ARGV[2]) then return -2 end
refresh(base, ARGV[1], left)
return tonumber(redis.call('HGET', base, 'v'))
`)

/** ARGV: replay JSON, expected version. The new version, or -1. */
export const UPDATE_REPLAY: LuaScript = new LuaScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v or tonumber(v) ~= tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[1], 'replay', ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'v', 1)
`)

/** No ARGV. 1 when the session existed. Deletes every key of the session. */
export const DELETE_SESSION: LuaScript = new LuaScript(`
local base = KEYS[1]
local existed = 0
for _, f in ipairs(redis.call('HKEYS', base)) do
  existed = 1
  if string.sub(f, 1, 2) == 's:' then
    local s = string.sub(f, 3)
    redis.call('DEL', base .. ':e:' .. s, base .. ':m:' .. s)
  end
end
redis.call('DEL', base, base .. ':ended', base .. ':an')
return existed
`)

/** Lua defining `now`: the Redis server's clock in ms, so expiries never use an instance's clock. */
export const REDIS_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

/** ARGV: name, holder, ttl, mode. {ok, live other holder or ''}. Expiry on the server's clock. */
export const LEASE: LuaScript = new LuaScript(`${REDIS_NOW}
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local field = 'l:' .. ARGV[1]
local holder, mode = ARGV[2], ARGV[4]
local current = redis.call('HGET', KEYS[1], field)
local recorded, live = '', ''
if current then
  local sp = string.find(current, ' ', 1, true)
  recorded = string.sub(current, sp + 1)
  if tonumber(string.sub(current, 1, sp - 1)) > now then live = recorded end
end
local other = ''
if live ~= '' and live ~= holder then other = live end
local ok = mode == 'takeover' or (mode == 'claim' and other == '') or (mode == 'renew' and recorded == holder)
if not ok then return {0, other} end
redis.call('HSET', KEYS[1], field, (now + tonumber(ARGV[3])) .. ' ' .. holder)
return {1, other}
`)

/** ARGV: name, holder. Deletes the lease only if holder holds it. */
export const RELEASE_LEASE: LuaScript = new LuaScript(`
local field = 'l:' .. ARGV[1]
local current = redis.call('HGET', KEYS[1], field)
if current and string.sub(current, string.find(current, ' ', 1, true) + 1) == ARGV[2] then
  redis.call('HDEL', KEYS[1], field)
end
return 0
`)

/**
 * Writing events. A stream is two keys: the list `e:<s>` of entries `<n>:<json>` (numbered from 1
 * without gaps; `<n>:` is the end marker) and the hash `m:<s>` (`producer`, `n`, `ended`,
 * `q:<key>` request keys it owes an answer, `h:<producer>` = "<seq> <number>" of the producer's
 * latest write, number 0 when end skipped it). Every step reads what it needs with one HMGET and
 * writes the hash with one HSET.
 */
const APPEND_FN = `
-- 0 when seq is new for the producer, its event's number when it is the producer's latest
-- (an idempotent retry), -3 when it is older.
local function check_seq_of(h, seq)
  if not h then return 0 end
  local sp = string.find(h, ' ', 1, true)
  local hs, hn = tonumber(string.sub(h, 1, sp - 1)), tonumber(string.sub(h, sp + 1))
  if seq == hs and hn > 0 then return hn end
  if seq <= hs then return -3 end
  return 0
end
-- Sends command with items as its arguments, 200 at a time (Lua's stack bounds unpack); the
-- last reply.
local function chunked(command, key, items)
  local reply
  for i = 1, #items, 200 do
    reply = redis.call(command, key, unpack(items, i, math.min(i + 199, #items)))
  end
  return reply
end
-- Writes event n (the caller checked that it is the next one and that seq is new), the counters
-- and any extra fields of the hash.
local function put(base, s, n, data, producer, seq, answered, maxlen, fields)
  if redis.call('RPUSH', base .. ':e:' .. s, n .. ':' .. data) > tonumber(maxlen) then
    redis.call('LTRIM', base .. ':e:' .. s, -tonumber(maxlen), -1)
  end
  local m = base .. ':m:' .. s
  fields[#fields + 1] = 'n'
  fields[#fields + 1] = n
  if producer ~= '' then
    fields[#fields + 1] = 'h:' .. producer
    fields[#fields + 1] = seq .. ' ' .. n
  end
  chunked('HSET', m, fields)
  if answered ~= '' and redis.call('HDEL', m, 'q:' .. answered) == 1 then
    redis.call('HDEL', base, 'r:' .. answered)
  end
  return n
end
-- Appends to a stream that may exist: its number, -2 when it ended or is unknown, -3 stale seq.
local function append(base, s, data, producer, seq, answered, maxlen)
  local state = redis.call('HMGET', base .. ':m:' .. s, 'n', 'ended', 'h:' .. producer)
  if not state[1] then return -2 end
  if producer ~= '' then
    local known = check_seq_of(state[3], seq)
    if known ~= 0 then return known end
  end
  if state[2] then return -2 end
  return put(base, s, tonumber(state[1]) + 1, data, producer, seq, answered, maxlen, {})
end
local function session_pttl(base, fallback)
  local left = redis.call('PTTL', base)
  if left > 0 then return left end
  return fallback or redis.call('HGET', base, 'ttl') or 60000
end
`

/**
 * Opens a stream (registering it under the session, its keys expiring with the record) and
 * appends its first event; on a stream that exists, appends. As append.
 */
const OPEN_FN = `
local function open(base, s, opening_producer, ttl, maxlen, data, producer, seq, answered, first_pending, left)
  local m = base .. ':m:' .. s
  if redis.call('HSETNX', m, 'producer', opening_producer) == 0 then
    return append(base, s, data, producer, seq, answered, maxlen)
  end
  left = left or session_pttl(base, ttl)
  local fields = {}
  for i = first_pending, #ARGV do
    fields[#fields + 1] = 'q:' .. ARGV[i]
    fields[#fields + 1] = 1
  end
  redis.call('HSET', base, 's:' .. s, 1)
  local n = put(base, s, 1, data, producer, seq, answered, maxlen, fields)
  redis.call('PEXPIRE', base .. ':e:' .. s, left)
  redis.call('PEXPIRE', m, left)
  return n
end
`

/**
 * ARGV: stream, opening producer ('' for none), ttl, maxlen, data, producer, seq, answered,
 * pending keys… The first event's number, or -2 / -3 as append.
 */
export const OPEN: LuaScript = new LuaScript(`${APPEND_FN}${OPEN_FN}
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
return open(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], 9)
`)

/**
 * TOUCH, claiming the pending keys for the opening producer, then OPEN, in one step. ARGV as OPEN.
 * {-1} when the session is gone, {-2} when a pending key is in flight (nothing written either
 * way), else {replay version, the first event's number or -2 / -3 as append}.
 */
export const TOUCH_OPEN: LuaScript = new LuaScript(`${REFRESH}${CLAIM_FN}${APPEND_FN}${OPEN_FN}
local base, ttl = KEYS[1], ARGV[3]
local left = redis.call('PTTL', base)
if left == -2 then return {-1} end
if not claim(base, 9, ARGV[2]) then return {-2} end
-- The record's time left after the refresh, for the stream's keys.
left = refresh(base, ttl, left)
local v = tonumber(redis.call('HGET', base, 'v'))
return {v, open(base, ARGV[1], ARGV[2], ttl, ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], 9, left)}
`)

/** ARGV: stream, maxlen, data, producer, seq, answered. As append. */
export const APPEND: LuaScript = new LuaScript(`${APPEND_FN}
return append(KEYS[1], ARGV[1], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[2])
`)

/**
 * ARGV: stream, maxlen, max ended streams, producer, seq, then (data, answered) per message.
 * {1, number or 0 per message} or {-2} / {-3}. A message answering a request the stream no longer
 * owes is skipped (0). Every request key the stream still owes is released.
 */
export const END: LuaScript = new LuaScript(`${APPEND_FN}
local base, s, maxlen, producer, seq = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[4], tonumber(ARGV[5])
local m, e = base .. ':m:' .. s, base .. ':e:' .. s
-- 'n' is set when a stream opens and never removed: nil means the stream is unknown.
local state = redis.call('HMGET', m, 'ended', 'h:' .. producer, 'n')
if not state[3] then return {-2} end
if state[1] then
  local by = redis.call('HMGET', m, 'eb_p', 'eb_s', 'eb_ids')
  if by[1] ~= producer or tonumber(by[2]) ~= seq then return {-2} end
  local out = {1}
  for n in string.gmatch(by[3], '[^,]+') do out[#out + 1] = tonumber(n) end
  return out
end
if producer ~= '' and check_seq_of(state[2], seq) ~= 0 then return {-3} end
local owed, q_fields, r_fields = {}, {}, {}
for _, f in ipairs(redis.call('HKEYS', m)) do
  if string.sub(f, 1, 2) == 'q:' then
    local key = string.sub(f, 3)
    owed[key] = true
    q_fields[#q_fields + 1] = f
    r_fields[#r_fields + 1] = 'r:' .. key
  end
end
local n = tonumber(state[3])
local entries, ids, last = {}, {}, 0
for i = 6, #ARGV, 2 do
  local answered = ARGV[i + 1]
  if answered ~= '' and not owed[answered] then
    last = 0
  else
    n = n + 1
    entries[#entries + 1] = n .. ':' .. ARGV[i]
    last = n
    if answered ~= '' then owed[answered] = nil end
  end
  ids[#ids + 1] = last
end
n = n + 1
entries[#entries + 1] = n .. ':'
if chunked('RPUSH', e, entries) > maxlen then redis.call('LTRIM', e, -maxlen, -1) end
local fields = {'n', n, 'ended', 1, 'eb_p', producer, 'eb_s', seq, 'eb_ids', table.concat(ids, ',')}
if producer ~= '' and #ids > 0 then
  fields[#fields + 1] = 'h:' .. producer
  fields[#fields + 1] = (seq + #ids - 1) .. ' ' .. last
end
redis.call('HSET', m, unpack(fields))
if #q_fields > 0 then
  chunked('HDEL', m, q_fields)
  chunked('HDEL', base, r_fields)
end
local ended = base .. ':ended'
local kept = redis.call('LPUSH', ended, s)
if kept == 1 then redis.call('PEXPIRE', ended, session_pttl(base)) end
while kept > tonumber(ARGV[3]) do
  local old = redis.call('RPOP', ended)
  redis.call('DEL', base .. ':e:' .. old, base .. ':m:' .. old)
  redis.call('HDEL', base, 's:' .. old)
  kept = kept - 1
end
local out = {1}
for i = 1, #ids do out[#out + 1] = ids[i] end
return out
`)

/**
 * ARGV: stream, after number, limit. {-1} unknown, {-4} events after the cursor were trimmed,
 * else {1, ended, number, data, number, data…}.
 * Entries are numbered without gaps, so the one after a cursor is found by index.
 */
export const READ: LuaScript = new LuaScript(`
local base, s, after, limit = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', base .. ':m:' .. s) == 0 then return {-1} end
local e = base .. ':e:' .. s
local out = {1, 0}
local head = redis.call('LINDEX', e, 0)
if not head then return out end
local first = tonumber(string.sub(head, 1, string.find(head, ':', 1, true) - 1))
local start = after + 1 - first
if start < 0 then
  if after > 0 then return {-4} end
  start = 0
end
local count = 0
for _, entry in ipairs(redis.call('LRANGE', e, start, start + limit)) do
  local colon = string.find(entry, ':', 1, true)
  if colon == #entry then
    out[2] = 1
    break
  end
  if count == limit then break end
  count = count + 1
  out[#out + 1] = tonumber(string.sub(entry, 1, colon - 1))
  out[#out + 1] = string.sub(entry, colon + 1)
end
return out
`)

/** ARGV: stream. {0} unknown, else {1, producer, ended, pending keys…}. */
export const INFO: LuaScript = new LuaScript(`
local m = KEYS[1] .. ':m:' .. ARGV[1]
local all = redis.call('HGETALL', m)
if #all == 0 then return {0} end
local out = {1, '', 0}
for i = 1, #all, 2 do
  local f = all[i]
  if f == 'producer' then out[2] = all[i + 1]
  elseif f == 'ended' then out[3] = 1
  elseif string.sub(f, 1, 2) == 'q:' then out[#out + 1] = string.sub(f, 3) end
end
return out
`)

/** ARGV: stream. Forgets one stream of the session. */
export const DELETE_STREAM: LuaScript = new LuaScript(`
local base, s = KEYS[1], ARGV[1]
redis.call('DEL', base .. ':e:' .. s, base .. ':m:' .. s)
redis.call('HDEL', base, 's:' .. s)
redis.call('LREM', base .. ':ended', 0, s)
return 0
`)
