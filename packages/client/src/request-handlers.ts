import { McpRequestError } from './errors.js'

/**
 * Answers one server request (`elicitation/create`, `sampling/createMessage`, `roots/list`, ...)
 * with its result. Throw an {@link McpRequestError} to answer with that JSON-RPC error; anything
 * else thrown is answered -32603. The same handler serves both ways a server asks: a server→client
 * request on a 2025 session or legacy stream, and an input request inside a 2026-07-28
 * `input_required` result.
 *
 * @param params The request's `params` (`{}` when it had none).
 * @param context `signal` aborts when the server cancels the request, the call that asked for
 * input is aborted, or the client closes.
 * @example
 * ```ts
 * const elicit: RequestHandler = async (params) => ({ action: 'accept', content: { name: 'Ada' } })
 * ```
 */
export type RequestHandler = (
  params: Record<string, unknown>,
  context: { signal: AbortSignal },
) => unknown

/**
 * Handlers of server requests by method, for {@link connect}'s `handlers` option and
 * {@link McpClient.setRequestHandler}. `ping` is answered `{}` unless you give your own; every other
 * method without a handler is answered -32601 `Method not found`.
 *
 * @example
 * ```ts
 * const handlers: RequestHandlers = {
 *   'elicitation/create': async () => ({ action: 'accept', content: { confirmed: true } }),
 *   'roots/list': () => ({ roots: [{ uri: 'file:///work' }] }),
 * }
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation
 */
export type RequestHandlers = Record<string, RequestHandler>

/** The capability a client declares when it has a handler for a method. */
const CAPABILITY_OF: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
}

/**
 * The client capabilities implied by `handlers` (`sampling`, `elicitation`, `roots` as `{}`),
 * under the ones declared explicitly, which win.
 */
export function capabilitiesWith(
  handlers: RequestHandlers,
  declared: Record<string, unknown>,
): Record<string, unknown> {
  const implied: Record<string, unknown> = {}
  for (const method of Object.keys(handlers)) {
    const capability = CAPABILITY_OF[method]
    if (capability !== undefined) implied[capability] = {}
  }
  return { ...implied, ...declared }
}

/**
 * Runs the handler of `method` and resolves with the JSON-RPC `result` or `error` member to answer
 * with: -32601 without a handler (`ping` has a default), the thrown {@link McpRequestError}'s error,
 * or -32603 for anything else thrown.
 */
export async function runHandler(
  handlers: Map<string, RequestHandler>,
  method: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ result: unknown } | { error: { code: number; message: string; data?: unknown } }> {
  const handler = handlers.get(method) ?? (method === 'ping' ? () => ({}) : undefined)
  if (handler === undefined) return { error: { code: -32601, message: 'Method not found' } }
  try {
    return { result: (await handler(params, { signal })) ?? {} }
  } catch (error) {
    if (error instanceof McpRequestError)
      return {
        error: {
          code: error.code,
          message: error.message,
          ...(error.data === undefined ? {} : { data: error.data }),
        },
      }
    return { error: { code: -32603, message: 'Internal error' } }
  }
}
