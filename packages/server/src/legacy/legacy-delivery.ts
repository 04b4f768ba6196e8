import { isInitialize, type McpMessage } from '../protocol/message.js'
import type { Session } from '../session/session.js'
import type { MessageExtraInfo } from '../session/transport.js'

/**
 * Hands the messages of one legacy POST (2024-11-05) to the session's server, in order: an
 * `initialize` also sets the session's protocol version. The same step serves a POST that landed
 * on the instance holding the session and, in a cluster, one forwarded to it from another.
 *
 * @param session The legacy session, held here.
 * @param messages The POST's messages, parsed and checked.
 * @param extra What the server is told about the HTTP request (auth, headers, URL).
 * @example
 * ```ts
 * deliverLegacyMessages(session, parsed.messages, { authInfo, requestInfo })
 * ```
 * @see https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
 */
export function deliverLegacyMessages(
  session: Session,
  messages: readonly McpMessage[],
  extra: MessageExtraInfo,
): void {
  session.touch()
  for (const message of messages) {
    if (isInitialize(message)) {
      const params = message.params as { protocolVersion?: unknown } | undefined
      if (typeof params?.protocolVersion === 'string')
        session.protocolVersion = params.protocolVersion
    }
    session.receive(message, extra)
  }
}
