/** What happened, as the `event` field of every log entry names it. */
export type McpLogEventName =
  | 'session-created'
  | 'session-expired'
  | 'session-hibernated'
  | 'stream-overflow'
  | 'request-refused'
  | 'server-error'
  | 'cluster-unavailable'

/** The structured part of a log entry: `event` plus what it concerns (never message bodies or tokens). */
export interface McpLogFields {
  /** Which event this is; the other fields depend on it. */
  readonly event: McpLogEventName
  readonly [field: string]: unknown
}

/**
 * Where the handler reports what it does: console-style methods taking a message, then the
 * fields. `console` fits as is; a logger whose methods take the fields first (pino, bunyan)
 * fits through {@link objectFirstLogger}. Missing methods drop their level.
 *
 * Levels: `info` for sessions created, expired and hibernated and for refused requests (4xx),
 * `warn` for streams closed on overflow, `error` for server faults (when `onerror` is not set).
 *
 * @example
 * ```ts
 * createMcpHandler({ connect, logger: console })
 * // mcpwire: session created { event: 'session-created', sessionId: '…', transport: 'streamable-http' }
 * ```
 */
export interface McpLogger {
  /** Sessions created, expired and hibernated; refused requests. */
  info?(message: string, fields: McpLogFields): void
  /** Streams closed because their client read too slowly. */
  warn?(message: string, fields: McpLogFields): void
  /** Server faults, when `onerror` is not set. */
  error?(message: string, fields: McpLogFields): void
}

/** A logger whose methods take the fields first, then the message, as pino's and bunyan's do. */
export interface ObjectFirstLogger {
  /** Logs at info level. */
  info(fields: object, message: string): void
  /** Logs at warn level. */
  warn(fields: object, message: string): void
  /** Logs at error level. */
  error(fields: object, message: string): void
}

/**
 * Adapts a fields-first logger (pino, bunyan) to {@link McpLogger}.
 *
 * @param logger The logger, for example `pino()`.
 * @returns The same logger, taking the message first.
 * @example
 * ```ts
 * import pino from 'pino'
 * createMcpHandler({ connect, logger: objectFirstLogger(pino()) })
 * ```
 */
export function objectFirstLogger(logger: ObjectFirstLogger): McpLogger {
  return {
    info: (message, fields) => logger.info(fields, message),
    warn: (message, fields) => logger.warn(fields, message),
    error: (message, fields) => logger.error(fields, message),
  }
}

/** How the handler logs: level, message and fields; a no-op without a logger. */
export type Log = (level: 'info' | 'warn' | 'error', message: string, fields: McpLogFields) => void

/** The internal {@link Log} for a user's logger (`undefined`: log nothing). */
export function toLog(logger: McpLogger | undefined): Log | undefined {
  if (logger === undefined) return undefined
  return (level, message, fields) => {
    logger[level]?.call(logger, `mcpwire: ${message}`, fields)
  }
}
