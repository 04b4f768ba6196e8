import type { Incoming } from './incoming.js'
import type { Answer } from './reply.js'

/** Answers an {@link Incoming} directly: a handler's core, below its `fetch`. */
export type AnswerIncoming = (incoming: Incoming) => Promise<Answer>

// Keyed by the handler's `fetch` function, so a bridge given `mcp.fetch` finds the core behind it.
const cores = new WeakMap<object, AnswerIncoming>()

/** Records that `fetch` is `answer` plus the Fetch `Request`/`Response` conversions. */
export function exposeDirectAnswer(fetch: object, answer: AnswerIncoming): void {
  cores.set(fetch, answer)
}

/**
 * The core behind a `createMcpHandler(...).fetch`, which a bridge can call without building
 * Fetch objects; `undefined` for any other function.
 */
export function directAnswerOf(fetch: object): AnswerIncoming | undefined {
  return cores.get(fetch)
}
