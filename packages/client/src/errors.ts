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
 * A JSON-RPC error answered by the server, synthesized by the transport, or -32001 when
 * {@link McpClient.request} timed out. Rejected by {@link McpClient.request} and thrown by
 * {@link connect}.
 *
 * @example
 * ```ts
 * try { await client.request('tools/call', { name: 'missing' }) } catch (error) {
 *   if (error instanceof McpRequestError && error.code === -32602) console.log('bad params')
 * }
 * ```
 */
export class McpRequestError extends Error {
  /** Always `'McpRequestError'`. */
  override name = 'McpRequestError'
  /** The JSON-RPC error code. */
  readonly code: number
  /** The error's `data`, when it had some (for -32000: `{ reason, retryable }`). */
  readonly data: unknown
  /**
   * @param error The JSON-RPC error object.
   * @param options The standard `cause`.
   */
  constructor(error: JsonRpcErrorObject, options?: { cause?: unknown }) {
    super(error.message, options)
    this.code = error.code
    this.data = error.data
  }
}

/**
 * The stream that owed a request's response was lost and can no longer deliver it: the transport
 * answered the request in-band with a JSON-RPC error -32000 `Connection closed` whose `data` is
 * `{ reason, retryable }` (and dispatched a `streamlost` event), or the transport closed under it.
 * {@link McpClient.request} rejects with this subclass of {@link McpRequestError} in that case, so
 * `code` stays -32000; under the SDK `Client` the same answer arrives as the SDK's own error.
 *
 * @example
 * ```ts
 * try { await client.request('tools/call', { name: 'deploy' }) } catch (error) {
 *   if (error instanceof ConnectionLostError && error.retryable) console.warn('lost:', error.reason)
 * }
 * ```
 */
export class ConnectionLostError extends McpRequestError {
  /** Always `'ConnectionLostError'`. */
  override name = 'ConnectionLostError'
  /** Why the stream was lost, as in the `streamlost` event (e.g. `not-resumable`). */
  readonly reason: string
  /** Whether sending the request again may succeed (its first attempt may have run on the server). */
  readonly retryable: boolean
  /**
   * @param error The synthesized JSON-RPC error (-32000, `data: { reason, retryable }`).
   * @param options The standard `cause`.
   */
  constructor(error: JsonRpcErrorObject, options?: { cause?: unknown }) {
    super(error, options)
    const data = (error.data ?? {}) as { reason?: unknown; retryable?: unknown }
    this.reason = typeof data.reason === 'string' ? data.reason : 'closed'
    this.retryable = data.retryable === true
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
