import { errorResponse } from '@mcpwire/server'

/**
 * The answer to an error a runtime caught around the app's `fetch` (Bun's `error`, Deno's
 * `onError`): the error is logged here, the client gets a JSON-RPC 500 (-32603) and never a stack
 * trace, a path or a runtime's HTML error page.
 *
 * @param error What the app threw.
 * @example
 * ```ts
 * Bun.serve({ fetch: app.fetch, development: false, error: internalErrorResponse })
 * ```
 */
export function internalErrorResponse(error: unknown): Response {
  console.error(error)
  return errorResponse(500, -32603, 'Internal server error')
}
