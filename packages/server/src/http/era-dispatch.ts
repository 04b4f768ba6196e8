import type { Caller, HandlerContext } from '../handler-context.js'
import { echoableId, relayModern } from '../modern/relay.js'
import { classifyEra, isModernRevision } from '../protocol/era.js'
import { parseMessages } from '../protocol/message.js'
import { SUPPORTED_PROTOCOL_VERSIONS } from '../protocol/protocol-version.js'
import { findPostSession, handleStreamablePost } from '../streamable/streamable-http.js'
import { accepts } from './http-checks.js'
import type { Incoming } from './incoming.js'
import { readJsonBody } from './read-json-body.js'
import { type Answer, errorReply } from './reply.js'

/**
 * What a modern request gets from an endpoint without a modern leg: a plain 400 with -32000 and
 * the id echoed, naming the revisions served. Deliberately none of the modern codes (-32020,
 * -32021, -32022, 404 with -32601): a dual-era client reads those as "stay modern", anything else
 * as "fall back to initialize".
 */
const NO_MODERN_MESSAGE = `Bad request: this endpoint serves MCP ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; open a session with initialize`

/**
 * POST on the MCP endpoint, for every era: checks `Accept`, reads and parses the body once,
 * classifies the era (`classifyEra`), then hands a modern request to the `modern` leg and a
 * legacy one to the Streamable HTTP sessions (or, on a modern-only endpoint, to `modern` too,
 * which refuses it in its own terms).
 *
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/versioning
 */
export async function dispatchPost(
  ctx: HandlerContext,
  request: Incoming,
  caller: Caller,
): Promise<Answer> {
  if (!accepts(request, 'application/json') || !accepts(request, 'text/event-stream')) {
    return errorReply(
      406,
      -32000,
      'Not acceptable: Accept must list application/json and text/event-stream',
    )
  }
  const { servesLegacy, modern } = ctx.options
  // Cheap refusals first: a POST naming an unknown session is answered before its body is read.
  // A modern request ignores Mcp-Session-Id, so one that says it is modern is not looked up here.
  const version = request.headers.get('mcp-protocol-version')
  let lookup =
    servesLegacy && (version === null || !isModernRevision(version))
      ? findPostSession(ctx, request, caller)
      : undefined
  if (lookup instanceof Promise) lookup = await lookup // a cluster asks its store
  if (lookup !== undefined && !('session' in lookup)) return lookup
  const text = await readJsonBody(request, ctx.options.maxBodyBytes)
  if (typeof text !== 'string') return text
  const parsed = parseMessages(text, ctx.options.maxJsonDepth)
  if (!parsed.ok) return errorReply(400, parsed.code, parsed.message, undefined, parsed.id)
  const body = parsed.batch ? parsed.messages : parsed.messages[0]
  const era = classifyEra('POST', request.headers, body)
  if (era.era === 'invalid') {
    return errorReply(400, era.code, era.message, undefined, echoableId(body))
  }
  if (era.era === 'modern' || !servesLegacy) {
    if (modern === undefined) {
      return errorReply(400, -32000, NO_MODERN_MESSAGE, undefined, echoableId(body))
    }
    return relayModern(ctx, modern, request, caller, body)
  }
  const found = lookup ?? (await findPostSession(ctx, request, caller))
  if (found !== undefined && !('session' in found)) return found
  return handleStreamablePost(ctx, request, caller, parsed, found)
}
