// Multi-round-trip requests (MCP 2026-07-28, SEP-2322): a server that needs input from the client
// answers a request with an `input_required` result naming input requests; the client answers them
// with its handlers and sends the request again, under a new id, with the answers and the server's
// `requestState` echoed unchanged.
import { McpRequestError } from './errors.js'
import { type RequestHandler, runHandler } from './request-handlers.js'

/** An `input_required` result: what the server asks for, and its opaque state to echo. */
export interface InputRequired {
  inputRequests?: Record<string, { method?: unknown; params?: unknown }>
  requestState?: string
}

/**
 * Whether `result` is an `input_required` result. A result without `resultType` is complete, as
 * the spec says.
 */
export function isInputRequired(result: unknown): result is InputRequired {
  return (result as { resultType?: unknown } | null)?.resultType === 'input_required'
}

/**
 * Answers every input request of `asked` with `handlers`, all at once, and returns the params of
 * the retry: the original `params` (never a previous round's) plus `inputResponses` (the bare results, by key) when there were
 * requests, plus `requestState` exactly as the server sent it, only when it sent one. A request
 * without a handler, or a handler that fails, rejects with an {@link McpRequestError}.
 */
export async function retryParams(
  params: Record<string, unknown>,
  asked: InputRequired,
  handlers: Map<string, RequestHandler>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const retry: Record<string, unknown> = { ...params }
  const entries = Object.entries(asked.inputRequests ?? {})
  if (entries.length > 0) {
    const answers = await Promise.all(
      entries.map(async ([key, request]) => {
        const method = typeof request?.method === 'string' ? request.method : ''
        const answer = await runHandler(
          handlers,
          method,
          (request?.params ?? {}) as Record<string, unknown>,
          signal,
        )
        if ('error' in answer)
          throw new McpRequestError({
            ...answer.error,
            message: `Input request ${key} (${method}): ${answer.error.message}`,
          })
        return [key, answer.result] as const
      }),
    )
    retry.inputResponses = Object.fromEntries(answers)
  }
  if (typeof asked.requestState === 'string') retry.requestState = asked.requestState
  return retry
}
