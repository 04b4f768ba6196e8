import { encode } from '@mcpwire/sse'
import type { Caller, HandlerContext } from '../handler-context.js'
import { EVENT_STREAM_HEADERS, EventStream } from '../http/event-stream.js'
import { accepts, headersObject } from '../http/http-checks.js'
import type { Incoming } from '../http/incoming.js'
import { lazyBodylessRequest } from '../http/lazy-request.js'
import { readJsonBody } from '../http/read-json-body.js'
import { errorReply, type Reply } from '../http/reply.js'
import { isInitialize, parseMessages } from '../protocol/message.js'

/**
 * GET on the legacy SSE path (2024-11-05): opens a session whose one stream carries every server
 * message as `event: message`, after a first `event: endpoint` naming the POST URI.
 * The session ends when the stream closes.
 *
 * @see https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
 */
export async function handleLegacySse(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
  messagesPath: string,
): Promise<Reply> {
  if (request.headers.has('accept') && !accepts(request, 'text/event-stream')) {
    return errorReply(406, -32000, 'Not acceptable: Accept must list text/event-stream')
  }
  const refusal = ctx.sessions.refuseNew(caller.principal)
  if (refusal !== undefined) return refusal
  const session = ctx.sessions.create(caller.principal, 'legacy', '2024-11-05')
  const connection = new EventStream({
    maxBufferBytes: ctx.options.maxStreamBufferBytes,
    keepAliveMs: ctx.options.keepAliveMs,
    timers: ctx.options.timers,
    metrics: ctx.metrics,
    onDetach: () => void session.close(),
  })
  session.standaloneConnection = connection
  session.standalone.attach(connection)
  try {
    await session.connect()
  } catch (error) {
    ctx.options.onerror(error)
    connection.abort()
    await session.close()
    return errorReply(500, -32603, 'Internal error')
  }
  const endpoint = `${messagesPath}?sessionId=${encodeURIComponent(session.id)}`
  session.standalone.writeRaw(encode({ event: 'endpoint', data: endpoint }))
  return { status: 200, headers: { ...EVENT_STREAM_HEADERS }, body: connection }
}

/**
 * POST on the legacy messages path: delivers one message (or a batch) to the session named by
 * `?sessionId=` and answers 202; responses go out on the session's SSE stream.
 *
 * @see https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
 */
export async function handleLegacyPost(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): Promise<Reply> {
  const id = request.parsedUrl.searchParams.get('sessionId')
  const found = ctx.sessions.find(id, caller.principal, 'legacy')
  if (!found.ok) {
    return found.status === 400
      ? errorReply(400, -32000, 'Bad request: sessionId query parameter is required')
      : errorReply(404, -32001, 'Session not found')
  }
  const body = await readJsonBody(request, ctx.options.maxBodyBytes)
  if (typeof body !== 'string') return body
  const parsed = parseMessages(body, ctx.options.maxJsonDepth)
  if (!parsed.ok) return errorReply(400, parsed.code, parsed.message, undefined, parsed.id)
  const session = found.session
  session.touch()
  const extra = {
    authInfo: caller.authInfo,
    requestInfo: { headers: headersObject(request), url: request.parsedUrl },
    request: lazyBodylessRequest(request),
  }
  for (const message of parsed.messages) {
    if (isInitialize(message)) {
      const params = message.params as { protocolVersion?: unknown } | undefined
      if (typeof params?.protocolVersion === 'string')
        session.protocolVersion = params.protocolVersion
    }
    session.receive(message, extra)
  }
  return { status: 202, headers: { 'content-type': 'text/plain' }, body: 'Accepted' }
}
