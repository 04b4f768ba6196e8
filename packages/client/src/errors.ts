import type { JsonRpcErrorObject } from '@mcpwire/jsonrpc'

/** What an HTTP error carries besides its message. */
export interface McpHttpErrorInit {
  status: number
  statusText?: string
  url?: string
  method?: string
  bodyText?: string
  rpcError?: JsonRpcErrorObject
  cause?: unknown
}

/**
 * An HTTP answer the transport could not use: a status the rules do not handle, a wrong media
 * type, a refused redirect. Carries the status and, when the body was a JSON-RPC error, its error
 * object, so nobody has to match message strings.
 *
 * @example
 * ```ts
 * try { await transport.send(message) } catch (error) {
 *   if (error instanceof McpHttpError && error.status === 429) await backOff()
 * }
 * ```
 */
export class McpHttpError extends Error {
  override name = 'McpHttpError'
  /** HTTP status, or 0 when there was no usable response. */
  readonly status: number
  readonly statusText: string
  readonly url: string
  readonly method: string
  /** The response body, cut to 4 KiB. */
  readonly bodyText: string
  /** The JSON-RPC error object of the body, when it had one. */
  readonly rpcError: JsonRpcErrorObject | undefined
  /** Same as `status`, for code that reads the SDK's `StreamableHTTPError.code`. */
  readonly code: number

  constructor(message: string, init: McpHttpErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.code = init.status
    this.statusText = init.statusText ?? ''
    this.url = init.url ?? ''
    this.method = init.method ?? ''
    this.bodyText = init.bodyText ?? ''
    this.rpcError = init.rpcError
  }
}

/**
 * The server no longer knows the session and it could not be restored (recovery off, failed, or a
 * second expiry in a row).
 *
 * @example
 * ```ts
 * transport.onerror = (error) => { if (error instanceof SessionExpiredError) reconnectLater() }
 * ```
 */
export class SessionExpiredError extends Error {
  override name = 'SessionExpiredError'
  readonly sessionId: string | undefined
  constructor(message: string, sessionId?: string, options?: { cause?: unknown }) {
    super(message, options)
    this.sessionId = sessionId
  }
}

/**
 * A stream that owed responses can no longer deliver them. The transport also delivers a
 * JSON-RPC error (-32000 `Connection closed`) for each owed request, so callers are answered at once.
 *
 * @example
 * ```ts
 * transport.addEventListener('streamlost', (event) => console.warn(event.detail.reason))
 * ```
 */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError'
  /** JSON-RPC code of the synthesized responses. */
  readonly code = -32000
  readonly reason: string
  readonly retryable: boolean
  constructor(reason: string, retryable: boolean, options?: { cause?: unknown }) {
    super(`Connection closed: ${reason}`, options)
    this.reason = reason
    this.retryable = retryable
  }
}

/**
 * The server refused the credentials (HTTP 401) and one re-authentication did not help. Its name is
 * `UnauthorizedError`, which the official SDK recognises.
 *
 * @example
 * ```ts
 * if (error instanceof UnauthorizedError) await login()
 * ```
 */
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError'
  readonly status: number
  constructor(message: string, status = 401, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
  }
}

/** One attempt of a transport fallback. */
export interface FallbackAttempt {
  transport: 'streamable-http' | 'sse'
  error: unknown
}

/**
 * Neither Streamable HTTP nor the legacy HTTP+SSE transport could connect.
 *
 * @example
 * ```ts
 * if (error instanceof FallbackError) for (const a of error.attempts) console.log(a.transport, a.error)
 * ```
 */
export class FallbackError extends Error {
  override name = 'FallbackError'
  readonly attempts: FallbackAttempt[]
  constructor(message: string, attempts: FallbackAttempt[]) {
    super(message, { cause: attempts[attempts.length - 1]?.error })
    this.attempts = attempts
  }
}

/**
 * The server supports none of the protocol versions this client offered.
 *
 * @example
 * ```ts
 * if (error instanceof UnsupportedProtocolVersionError) console.log(error.supported)
 * ```
 */
export class UnsupportedProtocolVersionError extends Error {
  override name = 'UnsupportedProtocolVersionError'
  readonly supported: string[]
  readonly requested: string
  constructor(requested: string, supported: string[]) {
    super(
      `Protocol version ${requested} is not supported by the server (it supports ${supported.join(', ') || 'none'})`,
    )
    this.requested = requested
    this.supported = supported
  }
}
