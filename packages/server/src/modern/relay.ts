import type { Caller, HandlerContext } from '../handler-context.js'
import { EVENT_STREAM_HEADERS, EventStream } from '../http/event-stream.js'
import { BODYLESS_DROPPED_HEADERS, type Incoming } from '../http/incoming.js'
import { type Answer, errorReply } from '../http/reply.js'
import type { RequestId } from '../protocol/message.js'
import type { ModernHandler } from './modern-handler.js'
import { relayEventStream } from './relay-event-stream.js'

/**
 * Response headers that do not cross a relay: the hop-by-hop and framing ones a body-less request
 * drops too (RFC 9110 §7.6.1; the SDK still sends `Connection: keep-alive` on its event streams,
 * which HTTP/2 forbids; the runtime sets the length for what is really sent), plus
 * `Proxy-Authenticate`, which is for the hop only.
 */
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  ...BODYLESS_DROPPED_HEADERS,
  'proxy-authenticate',
])

/** The id of a parsed body, when it has one to echo in an error. */
export function echoableId(body: unknown): RequestId | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null
  const id = (body as { id?: unknown }).id
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null
}

/** The delegate's response headers that cross the relay, each `Set-Cookie` kept apart. */
function relayedHeaders(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name) && name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies.length === 1 ? cookies[0]! : cookies
  return headers
}

function isEventStream(response: Response): boolean {
  const type = response.headers.get('content-type')
  return type?.trimStart().toLowerCase().startsWith('text/event-stream') === true
}

/**
 * Hands one modern request to the `modern` delegate and relays its answer.
 *
 * - Past `maxModernInFlight` requests in flight, or after the handler's `close()`: 503 with
 *   `Retry-After`, the id echoed.
 * - The delegate gets a body-less `Request` (built here only) whose signal aborts when the client
 *   goes away, plus the parsed body and what `authenticate` returned.
 * - JSON and empty answers are passed on with hop-by-hop headers removed.
 * - An event stream is piped through our own {@link EventStream}: keep-alive comments,
 *   `X-Accel-Buffering: no`, the `maxStreamBufferBytes` bound and the stream metrics. When it
 *   closes early (client gone, or too slow), the delegate's body is cancelled and its request
 *   signal aborted, which is how 2026-07-28 cancels a request.
 * - Nothing is added: no `Mcp-Session-Id`, no event ids.
 *
 * @param ctx The handler's options and counters.
 * @param modern The delegate.
 * @param request The incoming request, its body already read.
 * @param caller Who `authenticate` accepted.
 * @param parsedBody The parsed JSON body.
 * @returns The answer to send.
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
 */
export async function relayModern(
  ctx: HandlerContext,
  modern: ModernHandler,
  request: Incoming,
  caller: Caller,
  parsedBody: unknown,
): Promise<Answer> {
  const { metrics, options } = ctx
  if (ctx.lifecycle.closed) {
    // The delegate is closed (SDK v2 then throws): a retry belongs on another instance.
    return errorReply(
      503,
      -32000,
      'Server is shutting down',
      { 'retry-after': '1' },
      echoableId(parsedBody),
    )
  }
  if (metrics.modernRequests >= options.maxModernInFlight) {
    return errorReply(
      503,
      -32000,
      'Too many requests in flight',
      { 'retry-after': '1' },
      echoableId(parsedBody),
    )
  }
  metrics.modernRequests++
  let inFlight = true
  const settle = (): void => {
    if (!inFlight) return
    inFlight = false
    metrics.modernRequests--
    stopWatching()
  }
  const controller = new AbortController()
  const stopWatching = request.watchDisconnect(() => controller.abort())
  let response: Response
  try {
    const forwarded = request.toBodylessRequest(controller.signal)
    const fetchOptions = { parsedBody, authInfo: caller.authInfo as never }
    response = await modern.fetch(forwarded, fetchOptions)
  } catch (error) {
    settle()
    options.onerror(error)
    return errorReply(500, -32603, 'Internal error', undefined, echoableId(parsedBody))
  }
  const headers = relayedHeaders(response)
  const body = response.body
  if (body === null || !isEventStream(response) || controller.signal.aborted) {
    try {
      const text = body === null || controller.signal.aborted ? null : await response.text()
      if (controller.signal.aborted) void body?.cancel().catch(() => {})
      return { status: response.status, headers, body: text }
    } catch (error) {
      options.onerror(error)
      return errorReply(502, -32603, 'Internal error', undefined, echoableId(parsedBody))
    } finally {
      settle()
    }
  }

  metrics.modernStreams++
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  const stream = new EventStream({
    maxBufferBytes: options.maxStreamBufferBytes,
    keepAliveMs: options.keepAliveMs,
    timers: options.timers,
    metrics,
    onDetach(reason) {
      metrics.modernStreams--
      if (reason !== 'end') {
        controller.abort()
        reader?.cancel().catch(() => {})
      }
      settle()
    },
  })
  reader = relayEventStream(body, stream, options.onerror)
  return { status: response.status, headers: { ...headers, ...EVENT_STREAM_HEADERS }, body: stream }
}
