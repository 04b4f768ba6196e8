import { errorResponse as jsonRpcErrorResponse } from '@mcpwire/jsonrpc'
import type { EventStream } from './event-stream.js'

/**
 * What the handler answers, before it becomes a Fetch `Response` ({@link toResponse}) or is written
 * to a `node:http` response by `@mcpwire/server/node`.
 */
export interface Reply {
  readonly status: number
  /** One value per field; a list only for `set-cookie`, whose values never combine. */
  readonly headers: Readonly<Record<string, string | string[]>>
  /** Text sent as is, an event stream, or no body. */
  readonly body: string | EventStream | null
}

/** An answer of the handler: its own {@link Reply}, or a `Response` from a hook (`authenticate`). */
export type Answer = Reply | Response

/** A reply without a body. */
export function emptyReply(status: number): Reply {
  return { status, headers: {}, body: null }
}

/**
 * A JSON-RPC error carried in an HTTP error reply, as the MCP transports answer bad requests.
 * The body never holds internal details: callers pass a fixed, client-safe message.
 *
 * @see https://www.jsonrpc.org/specification#error_object
 */
export function errorReply(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
  id: string | number | null = null,
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(jsonRpcErrorResponse(id, code, message)),
  }
}

/**
 * The pull-based `ReadableStream` carrying an event stream: a chunk is taken only when the
 * runtime reads, and a cancel (client gone) or an abort of the request's signal closes the stream.
 *
 * The request itself is held until the stream closes: on Node 20 a `Request` built with a
 * `signal` follows that signal only while the `Request` object is alive, so without it a
 * collected request would leave the stream open after its caller aborted.
 */
function eventStreamBody(stream: EventStream, request: Request | undefined): ReadableStream {
  let held = request // released when the stream closes
  const onAbort = (): void => stream.abort('disconnect')
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream.connect({
          push(chunk) {
            controller.enqueue(chunk)
            return false // the next chunk waits for the next pull
          },
          close() {
            held?.signal.removeEventListener('abort', onAbort)
            held = undefined
            try {
              controller.close()
            } catch {
              // Already cancelled by the consumer.
            }
          },
        })
        if (held?.signal.aborted === true) queueMicrotask(onAbort)
        else held?.signal.addEventListener('abort', onAbort, { once: true })
      },
      pull() {
        stream.resume()
      },
      cancel() {
        stream.abort('disconnect')
      },
    },
    { highWaterMark: 0 },
  )
}

/** A reply's header record as Fetch headers, a listed field as one field per value. */
function fetchHeaders(record: Reply['headers']): HeadersInit {
  let headers: Headers | undefined
  for (const name in record) {
    const value = record[name]!
    if (typeof value === 'string') continue
    headers ??= new Headers()
    for (const each of value) headers.append(name, each)
  }
  if (headers === undefined) return record as Readonly<Record<string, string>>
  for (const name in record) {
    const value = record[name]!
    if (typeof value === 'string') headers.set(name, value)
  }
  return headers
}

/**
 * Turns an answer into a Fetch `Response`.
 *
 * @param answer The handler's answer.
 * @param request The request answered: its signal's abort (client gone) closes an event stream.
 */
export function toResponse(answer: Answer, request?: Request): Response {
  if (answer instanceof Response) return answer
  const { status, headers, body } = answer
  const content = body === null || typeof body === 'string' ? body : eventStreamBody(body, request)
  return new Response(content, { status, headers: fetchHeaders(headers) })
}
