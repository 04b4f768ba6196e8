/** Reconnection settings of a stream (rule R-R3 to R-R5). */
export interface ReconnectOptions {
  /** First delay without a server `retry`, in ms (default 1000). */
  initialDelayMs?: number
  /** Largest backoff delay, in ms (default 30 000). */
  maxDelayMs?: number
  /** Growth per failed attempt (default 2). */
  factor?: number
  /** Random spread added to a backoff delay, as a fraction of it (default 0.2). */
  jitter?: number
  /** Give up after this long without progress, in ms (default 300 000). */
  maxElapsedMs?: number
}

/** Reconnect settings with every default filled in. */
export type ResolvedReconnect = Required<ReconnectOptions>

/** Fills in the defaults of {@link ReconnectOptions} and checks their ranges. */
export function resolveReconnect(options: ReconnectOptions = {}): ResolvedReconnect {
  const resolved: ResolvedReconnect = {
    initialDelayMs: options.initialDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.2,
    maxElapsedMs: options.maxElapsedMs ?? 300_000,
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`reconnect.${name} must be a finite number >= 0`)
    }
  }
  if (resolved.factor < 1) throw new RangeError('reconnect.factor must be >= 1')
  return resolved
}

/**
 * The delay before reconnection attempt `attempt` (0 after a connection that made progress).
 *
 * The server's `retry` is a floor, never a replacement: a polling server (priming event, then
 * close) is polled every `retry` ms, and a dead one is retried at a growing backoff that passes
 * `retry` (rule R-R3).
 *
 * @param attempt Failed connections since the last progress.
 * @param retryMs The stream's last `retry` field, if any.
 * @param random A number in [0, 1) for the jitter.
 */
export function reconnectDelay(
  options: ResolvedReconnect,
  attempt: number,
  retryMs: number | undefined,
  random: number,
): number {
  const backoff = (n: number) => {
    const base = Math.min(options.initialDelayMs * options.factor ** n, options.maxDelayMs)
    return base + base * options.jitter * random
  }
  if (retryMs === undefined) return backoff(attempt)
  return attempt === 0 ? retryMs : Math.max(retryMs, backoff(attempt - 1))
}

/**
 * The wait before the next reconnection attempt of a stream (rule R-R3), or `undefined` when the
 * time budget is spent: `maxElapsedMs` since the stream last made progress (rule R-R5). The one
 * reconnection schedule of the package: Streamable HTTP resumption and the restore of a lost
 * legacy HTTP+SSE session both ask it.
 *
 * @param sinceProgressMs Time since the stream's last progress (or since it was lost).
 */
export function nextReconnectDelay(
  options: ResolvedReconnect,
  attempt: number,
  retryMs: number | undefined,
  sinceProgressMs: number,
  random: number,
): number | undefined {
  if (sinceProgressMs >= options.maxElapsedMs) return undefined
  return reconnectDelay(options, attempt, retryMs, random)
}
