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
 * How long a round that asks for no input (only `requestState`: the server sheds load or is not
 * ready) waits before the retry: nothing else paces such a loop, and it counts in the round cap.
 * The SDK clients wait the same.
 */
export const REQUEST_STATE_ONLY_PAUSE_MS = 250

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Answers every input request of `asked` with `handlers`, all at once, and returns the params of
 * the retry: the original `params` (never a previous round's) plus `inputResponses` (the bare
 * results, by key) when there were requests, plus `requestState` exactly as the server sent it,
 * only when it sent one. A round with no input requests waits {@link REQUEST_STATE_ONLY_PAUSE_MS}
 * first; one with neither input requests nor `requestState` is invalid. A request without a
 * handler, or a handler that fails, rejects with an {@link McpRequestError}.
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
  } else if (typeof asked.requestState === 'string') {
    await pause(REQUEST_STATE_ONLY_PAUSE_MS, signal)
  } else {
    throw new McpRequestError({
      code: -32603,
      message: 'Invalid input_required result: neither inputRequests nor requestState',
      data: { inputRequired: asked },
    })
  }
  if (typeof asked.requestState === 'string') retry.requestState = asked.requestState
  return retry
}
