import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AnswerIncoming, directAnswerOf } from '../http/direct-answer.js'
import { errorResponse } from '../http/error-response.js'
import { errorReply } from '../http/reply.js'
import { NodeIncoming } from './node-incoming.js'
import { sendWebResponse } from './send-web-response.js'
import { toWebRequest } from './to-web-request.js'
import { writeReply } from './write-reply.js'

/** A Web-standard request handler, such as `createMcpHandler(...).fetch`. */
export type FetchHandler = (request: Request) => Promise<Response> | Response

/** Options for {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Receives every error the bridge catches: an exception thrown by `fetch` (the client gets a
   * generic 500), a request Node accepted but Fetch refuses (the client gets 400), and a body that
   * fails while streaming (the connection is destroyed). Default: `console.error`.
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

/** The listener for a `createMcpHandler` handler: Node's request and response, no Fetch objects. */
function directListener(
  answer: AnswerIncoming,
  onError: (error: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    await writeReply(res, await answer(new NodeIncoming(req, res)), onError)
  }
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error)
      if (res.headersSent) res.destroy()
      else void writeReply(res, errorReply(500, -32603, 'Internal server error'), onError)
    })
  }
}

/**
 * Adapts a `fetch(request)` handler to a `node:http` request listener.
 *
 * The request body streams in, the response streams out with backpressure, a client disconnect
 * aborts `request.signal` and cancels the response body, event-stream headers are flushed at
 * once. See {@link toWebRequest} and {@link sendWebResponse} for the details.
 *
 * An exception thrown by `fetch` is passed to `onError` and answered with a generic 500
 * JSON-RPC error (-32603 `Internal server error`); its message never reaches the client.
 *
 * Given the `fetch` of a `createMcpHandler` handler, the listener calls the handler's core
 * directly: headers, URL and body come from Node's request and the answer is written to Node's
 * response, with no Fetch `Request`, `Response` or web stream in between (a `Request` is built
 * only for `authenticate`). The behaviour is the same, including backpressure, disconnects and
 * `Connection: close` after a refused body; on Node 20 it costs far less CPU per request.
 * A wrapper around `mcp.fetch` takes the general path.
 *
 * @param fetch The Web-standard handler.
 * @param options See {@link NodeHandlerOptions}.
 * @returns A listener for `http.createServer` or `server.on('request', ...)`.
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { toNodeHandler } from '@mcpwire/server/node'
 *
 * createServer(toNodeHandler(mcp.fetch)).listen(3000, '127.0.0.1')
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http
 */
export function toNodeHandler(
  fetch: FetchHandler,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? console.error
  const direct = directAnswerOf(fetch)
  if (direct !== undefined) return directListener(direct, onError)
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let request: Request
    try {
      request = toWebRequest(req, res)
    } catch (error) {
      onError(error)
      await sendWebResponse(res, errorResponse(400, -32600, 'Bad request'), { onError })
      return
    }
    let response: Response
    try {
      response = await fetch(request)
      if (!(response instanceof Response)) throw new TypeError('fetch handler returned no Response')
    } catch (error) {
      onError(error)
      response = errorResponse(500, -32603, 'Internal server error')
    }
    await sendWebResponse(res, response, { onError })
  }
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error)
      res.destroy()
    })
  }
}
