/**
 * Redis could not be reached in time: the connection is down, refused, or a command got no reply
 * within `commandTimeoutMs`. The command may or may not have run (the adapter's writes are
 * idempotent, so retrying is safe). Answer the client with 503 and `Retry-After`.
 *
 * @example
 * ```ts
 * try { await cluster.sessions.touch(id, ttl) } catch (e) { if (e instanceof RedisUnavailableError) return unavailable() }
 * ```
 */
export class RedisUnavailableError extends Error {
  /** Always `'RedisUnavailableError'`. */
  override readonly name = 'RedisUnavailableError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Reply errors that mean "not now" rather than "wrong command". */
const UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|READONLY)\b/

/** A Redis reply error starts with an upper-case code: `ERR …`, `WRONGTYPE …`, `NOSCRIPT …`. */
const REPLY_ERROR = /^[A-Z][A-Z_-]+ /

/**
 * Turns what a client library threw into the adapter's errors: connection trouble becomes
 * {@link RedisUnavailableError}, a reply error of Redis stays as thrown.
 */
export function classifyRedisError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error)
  if (REPLY_ERROR.test(message) && !UNAVAILABLE_REPLIES.test(message)) {
    return error instanceof Error ? error : new Error(message)
  }
  return new RedisUnavailableError(`Redis is unavailable: ${message}`, { cause: error })
}
