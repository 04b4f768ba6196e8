/** One event stream of a detached transport: where to resume it and which requests it owes. */
export interface ResumeStream {
  /** The last event id the stream committed; sent as `Last-Event-ID` when it is resumed. */
  lastEventId: string
  /** Ids of the requests whose responses the stream still owes (empty for the listen stream). */
  requestIds: Array<string | number>
}

/**
 * What {@link StreamableHttpClientTransport.detach} returns, and what a new transport takes back
 * through its `sessionId`, `protocolVersion`, `resume` and `initializeParams` options to re-attach
 * to the same session (rules R-S5, R-S6). Plain JSON: store it anywhere.
 *
 * @example
 * ```ts
 * const token = await transport.detach()
 * localStorage.setItem('mcp', JSON.stringify(token))
 * // later, maybe in another process:
 * const saved = JSON.parse(localStorage.getItem('mcp') ?? '{}') as ResumeToken
 * const again = new StreamableHttpClientTransport(url, {
 *   sessionId: saved.sessionId,
 *   protocolVersion: saved.protocolVersion,
 *   resume: saved.streams,
 *   initializeParams: saved.initializeParams,
 * })
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#resumability-and-redelivery
 */
export interface ResumeToken {
  /** The session id, or `undefined` when there was no session (stateless era). */
  sessionId: string | undefined
  /** The negotiated protocol version. */
  protocolVersion: string | undefined
  /** The resumable streams (those that committed an event id). */
  streams: ResumeStream[]
  /** The params of the session's `initialize`, when the transport saw it (for a later re-init). */
  initializeParams?: Record<string, unknown>
}

const SESSION_ID = /^[\x21-\x7e]{1,1024}$/
const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/

/**
 * Checks the re-attach options of a transport: a caller's misuse throws at construction.
 *
 * @throws {TypeError} when the session id is not 1 to 1024 visible ASCII characters, the protocol
 *   version is not a `YYYY-MM-DD` revision, or a stream entry is malformed.
 */
export function checkResumeOptions(
  sessionId: string | undefined,
  protocolVersion: string | undefined,
  streams: readonly ResumeStream[] | undefined,
): void {
  if (sessionId !== undefined && !SESSION_ID.test(sessionId))
    throw new TypeError('sessionId must be 1 to 1024 visible ASCII characters')
  if (protocolVersion !== undefined && !PROTOCOL_VERSION.test(protocolVersion))
    throw new TypeError('protocolVersion must be a revision such as 2025-11-25')
  for (const stream of streams ?? []) {
    if (typeof stream?.lastEventId !== 'string' || !Array.isArray(stream.requestIds))
      throw new TypeError('Each resume entry needs a lastEventId string and a requestIds array')
  }
}
