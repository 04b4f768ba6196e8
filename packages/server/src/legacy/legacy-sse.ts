import { encode } from '@mcpwire/sse'
import type { SessionRecord } from '../cluster/session-store.js'
import type { Caller, HandlerContext } from '../handler-context.js'
import { EVENT_STREAM_HEADERS, EventStream } from '../http/event-stream.js'
import { accepts, headersObject } from '../http/http-checks.js'
import type { Incoming } from '../http/incoming.js'
import { lazyBodylessRequest } from '../http/lazy-request.js'
import { readJsonBody } from '../http/read-json-body.js'
import { errorReply, type Reply } from '../http/reply.js'
import { parseMessages } from '../protocol/message.js'
import { deliverLegacyMessages } from './legacy-delivery.js'

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
    onDetach: () => {
      void session.close()
      ctx.cluster?.legacy.disown(session)
    },
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
  if (ctx.cluster !== undefined) {
    // Stored with this instance as its owner before the client can POST to it anywhere.
    try {
      await ctx.cluster.legacy.own(session)
    } catch (error) {
      connection.abort()
      await session.close()
      throw error
    }
  }
  const endpoint = `${messagesPath}?sessionId=${encodeURIComponent(session.id)}`
  session.standalone.writeRaw(encode({ event: 'endpoint', data: endpoint }))
  return { status: 200, headers: { ...EVENT_STREAM_HEADERS }, body: connection }
}

/**
 * POST on the legacy messages path: delivers one message (or a batch) to the session named by
 * `?sessionId=` and answers 202; responses go out on the session's SSE stream. In a cluster, a
 * session held by another instance is forwarded to it, and 202 means that instance took it.
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
  let record: SessionRecord | undefined
  if (!found.ok) {
    if (found.status === 400) {
      return errorReply(400, -32000, 'Bad request: sessionId query parameter is required')
    }
    // A session held here is decided here; only one held nowhere here may be another's.
    const cluster = ctx.cluster
    if (cluster !== undefined && ctx.sessions.local(id!) === undefined) {
      record = await cluster.legacy.find(id!, caller.principal)
    }
    if (record === undefined) return errorReply(404, -32001, 'Session not found')
  }
  const body = await readJsonBody(request, ctx.options.maxBodyBytes)
  if (typeof body !== 'string') return body
  const parsed = parseMessages(body, ctx.options.maxJsonDepth)
  if (!parsed.ok) return errorReply(400, parsed.code, parsed.message, undefined, parsed.id)
  const headers = headersObject(request)
  if (found.ok) {
    deliverLegacyMessages(found.session, parsed.messages, {
      authInfo: caller.authInfo,
      requestInfo: { headers, url: request.parsedUrl },
      request: lazyBodylessRequest(request),
    })
    return accepted()
  }
  const outcome = await ctx.cluster!.legacy.forward(record!, {
    messages: parsed.messages,
    ...(caller.authInfo === undefined ? {} : { authInfo: caller.authInfo }),
    headers,
    url: request.parsedUrl.href,
  })
  if (outcome === 'accepted') return accepted()
  if (outcome === 'gone') return errorReply(404, -32001, 'Session not found')
  return errorReply(
    503,
    -32000,
    'Service unavailable: the instance holding this session did not answer',
    { 'retry-after': '1' },
  )
}

function accepted(): Reply {
  return { status: 202, headers: { 'content-type': 'text/plain' }, body: 'Accepted' }
}
