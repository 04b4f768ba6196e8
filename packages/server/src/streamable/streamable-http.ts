import { encode, encodeComment } from '@mcpwire/sse'
import { parseClusterEventId, standaloneStreamId } from '../cluster/cluster-ids.js'
import { ClusterStreamRelay } from '../cluster/cluster-stream-relay.js'
import { ClusterStreamWriter } from '../cluster/cluster-stream-writer.js'
import { claimStandaloneLease, releaseStandaloneLease } from '../cluster/standalone-lease.js'
import type { Caller, HandlerContext } from '../handler-context.js'
import { EVENT_STREAM_HEADERS, EventStream } from '../http/event-stream.js'
import { accepts, headersObject } from '../http/http-checks.js'
import type { Incoming } from '../http/incoming.js'
import { lazyBodylessRequest } from '../http/lazy-request.js'
import { emptyReply, errorReply, type Reply } from '../http/reply.js'
import { isInitialize, isRequest, type McpMessage, type RequestId } from '../protocol/message.js'
import { allowsBatch, readProtocolVersion, supportsPriming } from '../protocol/protocol-version.js'
import type { OutboundStream } from '../session/outbound-stream.js'
import { JsonSink, RequestScope } from '../session/request-scope.js'
import type { Session } from '../session/session.js'
import type { SessionLookup } from '../session/session-registry.js'
import type { MessageExtraInfo } from '../session/transport.js'

const SESSION_HEADER = 'mcp-session-id'

/** The answer to a `Last-Event-ID` the handler cannot resume from (never stored, or dropped). */
export const UNKNOWN_EVENT_ID =
  'Bad request: Last-Event-ID is unknown or its events are no longer stored; reconnect without it'

/**
 * Sends the headers at once: a comment as the first bytes of a stream that has no priming event,
 * since some runtimes (Bun) hold a response's headers until its body's first chunk.
 */
function announce(connection: EventStream): void {
  connection.write(encodeComment('open'))
}

function sessionError(status: 400 | 404): Reply {
  return status === 400
    ? errorReply(400, -32000, 'Bad request: Mcp-Session-Id header is required')
    : errorReply(404, -32001, 'Session not found')
}

/** Why {@link Session.addScope} refused a POST's requests, as the answer to send. */
function scopeRefusal(reason: 'in-use' | 'closed'): Reply {
  return reason === 'closed'
    ? sessionError(404)
    : errorReply(400, -32600, 'Invalid request: request id already in use')
}

/**
 * Checks the `MCP-Protocol-Version` header of a request in a session: absent is fine (the
 * session's version applies), otherwise it must be a supported version, and the session's.
 */
function checkVersionHeader(request: Incoming, session: Session): Reply | undefined {
  const header = request.headers.get('mcp-protocol-version')
  if (header === null) return undefined
  if (readProtocolVersion(request) === undefined) {
    return errorReply(400, -32000, 'Bad request: unsupported MCP-Protocol-Version')
  }
  if (header !== session.protocolVersion) {
    return errorReply(
      400,
      -32000,
      'Bad request: MCP-Protocol-Version does not match the version negotiated for this session',
    )
  }
  return undefined
}

function openEventStream(ctx: HandlerContext, onDetach?: () => void): EventStream {
  return new EventStream({
    maxBufferBytes: ctx.options.maxStreamBufferBytes,
    keepAliveMs: ctx.options.keepAliveMs,
    timers: ctx.options.timers,
    metrics: ctx.metrics,
    onDetach,
  })
}

/** The session a request names, held here or (in a cluster) in the shared store. */
function lookupSession(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): SessionLookup | Promise<SessionLookup> {
  const id = request.headers.get(SESSION_HEADER)
  if (ctx.cluster !== undefined) return ctx.cluster.sessions.find(id, caller.principal)
  return ctx.sessions.find(id, caller.principal, 'streamable')
}

function eventStreamReply(connection: EventStream, headers: Record<string, string>): Reply {
  return { status: 200, headers: { ...EVENT_STREAM_HEADERS, ...headers }, body: connection }
}

/** The session a POST names, as {@link findPostSession} found it. */
export interface PostSession {
  readonly session: Session
  /**
   * In a cluster: an awake session held here, not touched in the store yet. The POST touches it
   * before anything runs for it (with its stream's first event when it carries requests).
   */
  readonly untouched: boolean
}

/**
 * The session a POST on the MCP endpoint names with `Mcp-Session-Id`, checked before its body is
 * read: an unknown session or a `MCP-Protocol-Version` header that disagrees with the session's
 * is refused at once, so a forged id costs no body read and no parse. `undefined` when the POST
 * names no session (an initialize, or a refusal to come once the body is known). Synchronous
 * outside a cluster (nothing to wait for); a promise in one (the store is asked).
 */
export function findPostSession(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): PostSession | Reply | undefined | Promise<PostSession | Reply | undefined> {
  if (!request.headers.has(SESSION_HEADER)) return undefined
  const id = request.headers.get(SESSION_HEADER)
  if (ctx.cluster === undefined) {
    return postSession(request, ctx.sessions.find(id, caller.principal, 'streamable'))
  }
  // In a cluster, the touch of a session held here waits for the body: a POST with requests
  // folds it into its stream's first event (one backend call instead of two).
  return ctx.cluster.sessions
    .find(id, caller.principal, true)
    .then((found) => postSession(request, found))
}

function postSession(
  request: Incoming,
  found: SessionLookup | { readonly ok: true; readonly session: Session; readonly untouched: true },
): PostSession | Reply {
  if (!found.ok) return sessionError(found.status)
  return (
    checkVersionHeader(request, found.session) ?? {
      session: found.session,
      untouched: 'untouched' in found,
    }
  )
}

/**
 * A legacy POST on the MCP endpoint, its body already read, parsed and classified as legacy
 * (`dispatchPost`): opens a session on initialize, delivers the messages, and answers 202 (no
 * requests), an SSE stream, or a JSON body.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#sending-messages-to-the-server
 */
export async function handleStreamablePost(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
  parsed: { readonly messages: readonly McpMessage[]; readonly batch: boolean },
  found: PostSession | undefined,
): Promise<Reply> {
  const { messages, batch } = parsed
  const existing = found?.session

  let session: Session
  const initialize = messages.find(isInitialize)
  if (initialize !== undefined) {
    if (messages.length > 1) {
      return errorReply(400, -32600, 'Invalid request: initialize must be sent alone')
    }
    if (existing !== undefined) {
      return errorReply(400, -32600, 'Invalid request: session already initialized')
    }
    const refusal = ctx.sessions.refuseNew(caller.principal)
    if (refusal !== undefined) return refusal
    const params = initialize.params as { protocolVersion?: unknown } | undefined
    const requested =
      typeof params?.protocolVersion === 'string' ? params.protocolVersion : '2025-03-26'
    session = ctx.sessions.create(caller.principal, 'streamable', requested, initialize)
    session.expectInitializeAnswer(initialize.id as RequestId)
    try {
      await session.connect()
    } catch (error) {
      ctx.options.onerror(error)
      await session.close()
      return errorReply(500, -32603, 'Internal error')
    }
  } else {
    if (existing === undefined) return sessionError(400)
    session = existing
    // Batches follow the version negotiated at initialize, whatever the header says.
    if (batch && !allowsBatch(session.protocolVersion)) {
      return errorReply(400, -32600, 'Invalid request: batches are not supported in this version')
    }
    // In a cluster, answers and notifications need no server here: they go where they are awaited.
    const needsServer = ctx.cluster === undefined || messages.some(isRequest)
    if (needsServer && !(await session.wake())) return sessionError(404)
    session.markUsed()
  }
  session.touch()

  const requestInfo = { headers: headersObject(request), url: request.parsedUrl }
  const baseExtra: MessageExtraInfo = {
    authInfo: caller.authInfo,
    requestInfo,
    request: lazyBodylessRequest(request),
  }
  const requests = messages.filter(isRequest)
  const untouched = found?.untouched === true
  if (untouched && (requests.length === 0 || ctx.options.jsonResponse)) {
    if (!(await ctx.cluster!.sessions.touch(session))) return sessionError(404)
  }
  if (requests.length === 0 && ctx.cluster !== undefined) {
    await ctx.cluster.sessions.deliverWithoutRequests(session, messages, baseExtra)
    return emptyReply(202)
  }
  if (requests.length === 0) {
    for (const message of messages) session.receive(message, baseExtra)
    return emptyReply(202)
  }

  const ids = requests.map((m) => m.id as RequestId)
  const sessionHeaders = { [SESSION_HEADER]: session.id }
  if (ctx.options.jsonResponse) {
    const sink = new JsonSink(batch, () => ctx.metrics.droppedMessages++, sessionHeaders)
    const scope = new RequestScope(ids, sink, () => session.removeScope(scope, ids))
    const added = session.addScope(scope, ids)
    if (added !== true) return scopeRefusal(added)
    deliver(session, messages, baseExtra, undefined, undefined)
    await ctx.cluster?.sessions.syncReplay(session, messages)
    return sink.reply
  }

  const stream = session.createStream(ids)
  const resumable = stream.resumable && supportsPriming(session.protocolVersion)
  // The stream's first event (the priming event, or an unsent opening one for clients too old
  // for priming) touches the session and claims the request ids in the same backend call, also
  // when the session was just read and adopted here (its first request on this instance).
  const writer = stream.eventStore instanceof ClusterStreamWriter ? stream.eventStore : undefined
  if (untouched && writer === undefined && !(await ctx.cluster!.sessions.touch(session))) {
    return sessionError(404)
  }
  const scope = new RequestScope(
    ids,
    stream,
    () => session.removeScope(scope, ids),
    stream.streamId,
  )
  const added = session.addScope(scope, ids, stream)
  if (added !== true) return scopeRefusal(added)
  const connection = openEventStream(ctx, () => session.touch())
  stream.attach(connection)
  const touching = writer?.touchOnOpen()
  if (resumable) void stream.prime(ctx.options.retryMs)
  else if (writer !== undefined) void stream.storeOpening()
  if (touching !== undefined) {
    // Nothing runs before the store has said the session is alive.
    let alive: boolean
    try {
      const touched = await touching
      if (touched === 'duplicate') {
        stream.abort()
        scope.cancel()
        return scopeRefusal('in-use') // a request id in flight on another instance
      }
      alive = await ctx.cluster!.sessions.settle(session, touched)
    } catch (error) {
      stream.abort()
      scope.cancel()
      throw error
    }
    if (!alive) {
      stream.abort()
      scope.cancel()
      return sessionError(404)
    }
  }
  deliver(session, messages, baseExtra, resumable ? stream : undefined, session)
  await ctx.cluster?.sessions.syncReplay(session, messages)
  return eventStreamReply(connection, sessionHeaders)
}

function deliver(
  session: Session,
  messages: readonly McpMessage[],
  baseExtra: MessageExtraInfo,
  pollable: OutboundStream | undefined,
  pollSession: Session | undefined,
): void {
  for (const message of messages) {
    let extra = baseExtra
    if (pollable !== undefined && pollSession !== undefined && isRequest(message)) {
      extra = {
        ...baseExtra,
        closeSSEStream: () => pollable.closeConnection(),
        closeStandaloneSSEStream: () => closeStandalone(pollSession),
      }
    }
    session.receive(message, extra)
  }
}

function closeStandalone(session: Session): void {
  const connection = session.standaloneConnection
  if (connection === undefined) return
  session.standaloneConnection = undefined
  session.standalone.closeConnection()
  connection.end()
}

/**
 * GET on the MCP endpoint: opens the session's standalone stream (409 when one is open), or resumes
 * any of the session's streams from `Last-Event-ID`.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#listening-for-messages-from-the-server
 */
export async function handleStreamableGet(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): Promise<Reply> {
  if (!accepts(request, 'text/event-stream')) {
    return errorReply(406, -32000, 'Not acceptable: Accept must list text/event-stream')
  }
  const found = await lookupSession(ctx, request, caller)
  if (!found.ok) return sessionError(found.status)
  const session = found.session
  const refusal = checkVersionHeader(request, session)
  if (refusal !== undefined) return refusal
  const lastEventId = request.headers.get('last-event-id')
  // A listening client may be sent server messages at any time: its server must be live. In a
  // cluster, resuming a POST stream needs none: the events come from the store.
  const resumesPost =
    ctx.cluster !== undefined &&
    lastEventId !== null &&
    parseClusterEventId(lastEventId)?.streamId !== standaloneStreamId(session.id)
  if (!resumesPost && !(await session.wake())) return sessionError(404)
  session.markUsed()
  session.touch()
  const headers = { [SESSION_HEADER]: session.id }
  const store = ctx.options.eventStore
  if (ctx.cluster !== undefined) return clusterGet(ctx, session, lastEventId, headers)

  if (lastEventId !== null && store !== undefined) {
    let streamId = await store.getStreamIdForEventId?.(lastEventId)
    if (streamId === undefined && store.getStreamIdForEventId === undefined) {
      streamId = await store
        .replayEventsAfter(lastEventId, { send: async () => {} })
        .catch(() => undefined)
    }
    const stream = streamId === undefined ? undefined : session.getStream(streamId)
    // Not "session not found" (404 -32001): a client would throw its session away.
    if (stream === undefined) return errorReply(400, -32000, UNKNOWN_EVENT_ID)
    const isStandalone = session.isStandalone(stream)
    if (isStandalone && session.standaloneConnection?.open) {
      return errorReply(409, -32000, 'Conflict: a GET stream is already open for this session')
    }
    const connection = openEventStream(ctx, () => {
      if (session.standaloneConnection === connection) session.standaloneConnection = undefined
      session.touch()
    })
    if (isStandalone) session.standaloneConnection = connection
    announce(connection)
    // resume() replays, then continues live; a stream that already ended closes after the replay.
    void stream.resume(connection, lastEventId).catch(ctx.options.onerror)
    return eventStreamReply(connection, headers)
  }

  if (session.standaloneConnection?.open) {
    return errorReply(409, -32000, 'Conflict: a GET stream is already open for this session')
  }
  const connection = openEventStream(ctx, () => {
    if (session.standaloneConnection === connection) session.standaloneConnection = undefined
    session.touch()
  })
  session.standaloneConnection = connection
  session.standalone.attach(connection)
  if (session.standalone.resumable && supportsPriming(session.protocolVersion)) {
    void session.standalone.prime(ctx.options.retryMs)
  } else {
    announce(connection)
  }
  return eventStreamReply(connection, headers)
}

/**
 * DELETE on the MCP endpoint: ends the session and closes its streams.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management
 */
export async function handleStreamableDelete(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): Promise<Reply> {
  const found = await lookupSession(ctx, request, caller)
  if (!found.ok) return sessionError(found.status)
  const refusal = checkVersionHeader(request, found.session)
  if (refusal !== undefined) return refusal
  if (ctx.cluster !== undefined) await ctx.cluster.sessions.delete(found.session)
  else await found.session.close()
  return emptyReply(200)
}

/**
 * GET in a cluster: any stream of the session, wherever it is produced, is relayed from the
 * shared event store (see {@link ClusterStreamRelay}); a POST stream this instance still produces
 * resumes locally. Other connections to the same stream, on any instance, are closed.
 */
async function clusterGet(
  ctx: HandlerContext,
  session: Session,
  lastEventId: string | null,
  headers: Record<string, string>,
): Promise<Reply> {
  const { node } = ctx.cluster!
  const { events } = node.backend
  const standaloneId = standaloneStreamId(session.id)
  let streamId = standaloneId
  if (lastEventId !== null) {
    const parsed = parseClusterEventId(lastEventId)
    if (parsed === undefined || !parsed.streamId.startsWith(`${session.id}.`)) {
      return errorReply(400, -32000, UNKNOWN_EVENT_ID)
    }
    streamId = parsed.streamId
    try {
      await node.call(() => events.read(parsed.streamId, lastEventId, 1))
    } catch (error) {
      if (error instanceof RangeError) return errorReply(400, -32000, UNKNOWN_EVENT_ID)
      throw error
    }
    const live = session.liveStream(streamId)
    if (live !== undefined) {
      const connection = openEventStream(ctx, () => session.touch())
      announce(connection)
      void live.resume(connection, lastEventId).catch(ctx.options.onerror)
      return eventStreamReply(connection, headers)
    }
  }
  const isStandalone = streamId === standaloneId
  const localOpen = session.standaloneConnection?.open === true
  if (isStandalone && localOpen && lastEventId === null) {
    return errorReply(409, -32000, 'Conflict: a GET stream is already open for this session')
  }
  // One GET stream per session across the cluster too: its holder keeps a lease in the store.
  const lease = isStandalone ? `${node.instanceId}/${crypto.randomUUID()}` : undefined
  if (lease !== undefined) {
    const claim = await claimStandaloneLease(
      node,
      session.id,
      lease,
      lastEventId !== null,
      localOpen,
    )
    if (claim === 'gone') return sessionError(404)
    if (claim === 'conflict') {
      return errorReply(409, -32000, 'Conflict: a GET stream is already open for this session')
    }
    // The client resumed: the old connection is dead to it.
    if (session.standaloneConnection?.open) session.standaloneConnection.end()
  }
  let relay: ClusterStreamRelay | undefined
  const connection = openEventStream(ctx, () => {
    relay?.stop()
    if (session.standaloneConnection === connection) session.standaloneConnection = undefined
    session.touch()
  })
  let cursor = lastEventId
  if (cursor === null) {
    // A priming event gives the fresh stream a cursor; the client sees it on 2025-11-25 only.
    const seq = node.nextSeq()
    const ttl = ctx.options.sessionIdleMs
    const first = await node
      .call(() => events.open(standaloneId, { pending: [] }, {}, node.instanceId, seq, ttl))
      .catch((error: unknown) => {
        connection.end()
        if (lease !== undefined) releaseStandaloneLease(node, session.id, lease)
        throw error
      })
    cursor = first
    if (supportsPriming(session.protocolVersion)) {
      connection.write(encode({ id: first, retry: ctx.options.retryMs, data: '' }))
    } else {
      announce(connection)
    }
  } else {
    announce(connection)
  }
  if (isStandalone) session.standaloneConnection = connection
  relay = new ClusterStreamRelay({
    node,
    connection,
    streamId,
    cursor,
    standalone: isStandalone,
    ttlMs: ctx.options.sessionIdleMs,
    ...(lease === undefined ? {} : { lease }),
    timers: ctx.options.timers,
    onerror: ctx.options.onerror,
  })
  await relay.start()
  node
    .publish(session.id, { t: 'drop', stream: streamId, keep: relay.connectionId })
    .catch(() => {})
  return eventStreamReply(connection, headers)
}
