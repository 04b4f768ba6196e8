import type { JsonRpcErrorObject } from '@mcpwire/jsonrpc'

/**
 * What an {@link McpHttpError} carries besides its message; the second argument of its
 * constructor.
 *
 * @example
 * ```ts
 * new McpHttpError('Error POSTing to endpoint (HTTP 503)', { status: 503, method: 'POST' })
 * ```
 */
export interface McpHttpErrorInit {
  /** HTTP status, or 0 when there was no usable response. */
  status: number
  /** The response's status text (default `''`). */
  statusText?: string
  /** The URL requested (default `''`). */
  url?: string
  /** The HTTP method: `POST`, `GET` or `DELETE` (default `''`). */
  method?: string
  /** The response body, already cut to size (default `''`). */
  bodyText?: string
  /** The JSON-RPC error object of the body, when it had one. */
  rpcError?: JsonRpcErrorObject
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown
}

/**
 * An HTTP answer the transport could not use: a status the rules do not handle (a 401 without an
 * `auth` hook, 403, 429, 5xx, a 4xx that is not session expiry), a refused redirect, an SSE stream
 * that would not open or announced a bad endpoint, an invalid `Mcp-Session-Id`. Thrown by `send()`
 * and `start()`. Carries the status and, when the body was a JSON-RPC error, its error object, so
 * nobody has to match message strings.
 *
 * @example
 * ```ts
 * try { await transport.send(message) } catch (error) {
 *   if (error instanceof McpHttpError && error.status === 429) await backOff()
 * }
 * ```
 */
export class McpHttpError extends Error {
  /** Always `'McpHttpError'`. */
  override name = 'McpHttpError'
  /** HTTP status, or 0 when there was no usable response. */
  readonly status: number
  /** The response's status text, or `''`. */
  readonly statusText: string
  /** The URL requested, or `''`. */
  readonly url: string
  /** The HTTP method of the failed request (`POST`, `GET`, `DELETE`), or `''`. */
  readonly method: string
  /** The response body, cut to 4 KiB. */
  readonly bodyText: string
  /** The JSON-RPC error object of the body, when it had one. */
  readonly rpcError: JsonRpcErrorObject | undefined
  /** Same as `status`, for code that reads the SDK's `StreamableHTTPError.code`. */
  readonly code: number

  /**
   * @param message What failed, in a sentence.
   * @param init The status and the details of the response.
   */
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
 * The server no longer knows the session and it could not be restored: `sessionRecovery.reinitialize`
 * is off, the re-initialization failed or changed the protocol version, or the restored session
 * expired again at once. Thrown by the `send()` that met the expiry and reported once through
 * `onerror`; the transport then closes.
 *
 * @example
 * ```ts
 * transport.onerror = (error) => { if (error instanceof SessionExpiredError) reconnectLater() }
 * ```
 */
export class SessionExpiredError extends Error {
  /** Always `'SessionExpiredError'`. */
  override name = 'SessionExpiredError'
  /** The session the server forgot. */
  readonly sessionId: string | undefined
  /**
   * @param message What happened, in a sentence.
   * @param sessionId The session the server forgot.
   * @param options The standard `cause`.
   */
  constructor(message: string, sessionId?: string, options?: { cause?: unknown }) {
    super(message, options)
    this.sessionId = sessionId
  }
}

/**
 * A stream that owed responses can no longer deliver them, as an exception. The transports do not
 * throw it: they answer each owed request in-band with a JSON-RPC error -32000 `Connection closed`
 * whose `data` is `{ reason, retryable }`, and dispatch a `streamlost` event. This class gives
 * application code a typed error for that answer, with the same code, reason and retry hint.
 *
 * @example
 * ```ts
 * transport.on('streamlost', ({ reason }) => console.warn(new ConnectionLostError(reason, true)))
 * ```
 */
export class ConnectionLostError extends Error {
  /** Always `'ConnectionLostError'`. */
  override name = 'ConnectionLostError'
  /** JSON-RPC code of the synthesized responses. */
  readonly code = -32000
  /** Why the stream was lost, as in the `streamlost` event (e.g. `not-resumable`). */
  readonly reason: string
  /** Whether sending the request again may succeed (its first attempt may have run on the server). */
  readonly retryable: boolean
  /**
   * @param reason Why the stream was lost.
   * @param retryable Whether sending the request again may succeed.
   * @param options The standard `cause`.
   */
  constructor(reason: string, retryable: boolean, options?: { cause?: unknown }) {
    super(`Connection closed: ${reason}`, options)
    this.reason = reason
    this.retryable = retryable
  }
}

/**
 * The server refused the credentials (HTTP 401) and the `auth` hook could not fix it: it has no
 * `onUnauthorized`, or the request was refused again after one re-authentication. Thrown by
 * `send()`. Without an `auth` hook a 401 is an {@link McpHttpError} with `status` 401. Its name is
 * `UnauthorizedError`, which the official SDK recognises.
 *
 * @example
 * ```ts
 * if (error instanceof UnauthorizedError) await login()
 * ```
 */
export class UnauthorizedError extends Error {
  /** Always `'UnauthorizedError'`. */
  override name = 'UnauthorizedError'
  /** The HTTP status (401). */
  readonly status: number
  /**
   * @param message What was refused, in a sentence.
   * @param status The HTTP status (default 401).
   * @param options The standard `cause`.
   */
  constructor(message: string, status = 401, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
  }
}

/** One failed attempt of a transport fallback, in {@link FallbackError.attempts}. */
export interface FallbackAttempt {
  /** The transport tried. */
  transport: 'streamable-http' | 'sse'
  /** How it failed. */
  error: unknown
}

/**
 * Neither Streamable HTTP nor the legacy HTTP+SSE transport could connect: {@link HttpClientTransport}
 * fell back after a 400, 404 or 405 to `initialize`, and the legacy transport failed too. Thrown by
 * the `send()` of `initialize`; its `cause` is the last attempt's error.
 *
 * @example
 * ```ts
 * if (error instanceof FallbackError) for (const a of error.attempts) console.log(a.transport, a.error)
 * ```
 */
export class FallbackError extends Error {
  /** Always `'FallbackError'`. */
  override name = 'FallbackError'
  /** Each transport tried and how it failed, in order. */
  readonly attempts: FallbackAttempt[]
  /**
   * @param message What failed, in a sentence.
   * @param attempts Each transport tried and how it failed, in order.
   */
  constructor(message: string, attempts: FallbackAttempt[]) {
    super(message, { cause: attempts[attempts.length - 1]?.error })
    this.attempts = attempts
  }
}

/**
 * The two sides share no protocol version. Thrown by {@link connect} when a pinned 2026-era version
 * is refused (-32022) with no version this client speaks, or when the server answers `initialize`
 * with a version this client does not speak.
 *
 * @example
 * ```ts
 * if (error instanceof UnsupportedProtocolVersionError) console.log(error.supported)
 * ```
 */
export class UnsupportedProtocolVersionError extends Error {
  /** Always `'UnsupportedProtocolVersionError'`. */
  override name = 'UnsupportedProtocolVersionError'
  /**
   * The versions on offer from the side that refused: the server's list after a -32022 refusal,
   * this client's list when the server's `initialize` answer was the problem.
   */
  readonly supported: string[]
  /** The version that was refused: the one the client asked for, or the one the server answered. */
  readonly requested: string
  /**
   * @param requested The version that was refused.
   * @param supported The versions on offer from the side that refused.
   */
  constructor(requested: string, supported: string[]) {
    super(
      `Protocol version ${requested} is not supported by the server (it supports ${supported.join(', ') || 'none'})`,
    )
    this.requested = requested
    this.supported = supported
  }
}
