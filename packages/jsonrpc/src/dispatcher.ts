import { ErrorCode } from './error-code.js'
import { JsonRpcError } from './json-rpc-error.js'
import { errorResponse } from './message-kind.js'
import { type ParseOptions, parseMessage } from './parse-message.js'
import { serialize } from './serialize.js'
import type {
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcParams,
  JsonRpcResponse,
} from './types.js'

type Answer = JsonRpcResponse | undefined

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** What a method receives besides its params. */
export interface MethodContext {
  /** The request id, or `undefined` for a notification. */
  readonly id: JsonRpcId | undefined
  /** The method name as called. */
  readonly method: string
}

/** A method: receives `params` exactly as sent (array, object or `undefined`); sync or async. */
export type JsonRpcMethod = (params: JsonRpcParams | undefined, context: MethodContext) => unknown

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions extends ParseOptions {
  /** The methods by name; only own properties are callable. */
  methods: Readonly<Record<string, JsonRpcMethod>>
}

/** The dispatcher returned by {@link createDispatcher}. */
export interface Dispatcher {
  /** Answers one body: the response text, or `undefined` when nothing is to be sent. */
  handle(body: string | Uint8Array): Promise<string | undefined>
}

/**
 * Creates a JSON-RPC 2.0 dispatcher that answers bodies with response text and never throws.
 *
 * - Unknown method: -32601. A method that throws a {@link JsonRpcError} answers its code, message
 *   and data; any other throw becomes -32603 `Internal error`, without its message.
 * - Notifications never get a reply, not even inside a batch or when they fail.
 * - A batch answers an array (in any order); a batch of notifications answers nothing; `[]`
 *   answers a single -32600. A method returning `undefined` answers `result: null`.
 *
 * @param options The methods, plus the parse options (`allowBatch`, `allowNullId`, limits).
 * @returns The dispatcher.
 * @example
 * ```ts
 * const rpc = createDispatcher({ methods: { subtract: ([a, b]: any) => a - b } })
 * await rpc.handle('{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}')
 * // '{"jsonrpc":"2.0","id":1,"result":19}'
 * ```
 * @see https://www.jsonrpc.org/specification
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { methods } = options
  const parseOptions: ParseOptions = {}
  if (options.allowBatch !== undefined) parseOptions.allowBatch = options.allowBatch
  if (options.allowNullId !== undefined) parseOptions.allowNullId = options.allowNullId
  if (options.maxBytes !== undefined) parseOptions.maxBytes = options.maxBytes
  if (options.maxBatchLength !== undefined) parseOptions.maxBatchLength = options.maxBatchLength

  function failure(id: JsonRpcId, error: unknown): JsonRpcErrorResponse {
    if (error instanceof JsonRpcError)
      return errorResponse(id, error.code, error.message, error.data)
    return errorResponse(id, ErrorCode.InternalError, 'Internal error')
  }

  // Synchronous methods stay synchronous: a promise is made only when a method returns one.
  function run(message: JsonRpcMessage): Answer | Promise<Answer> {
    const m = message as { id?: JsonRpcId; method?: string; params?: JsonRpcParams }
    if (m.method === undefined) return undefined // a response: nothing to answer
    const id = m.id
    const fn = Object.hasOwn(methods, m.method) ? methods[m.method] : undefined
    if (typeof fn !== 'function') {
      return id === undefined
        ? undefined
        : errorResponse(id, ErrorCode.MethodNotFound, 'Method not found')
    }
    let result: unknown
    try {
      result = fn(m.params, { id, method: m.method })
    } catch (error) {
      return id === undefined ? undefined : failure(id, error)
    }
    if (!isThenable(result)) {
      return id === undefined ? undefined : { jsonrpc: '2.0', id, result: result ?? null }
    }
    return Promise.resolve(result).then(
      (value): Answer =>
        id === undefined ? undefined : { jsonrpc: '2.0', id, result: value ?? null },
      (error): Answer => (id === undefined ? undefined : failure(id, error)),
    )
  }

  // The dispatcher builds its responses in canonical member order already (jsonrpc, id, then
  // result or error), so they go straight to JSON.stringify without serialize()'s reordering copy.
  function write(response: JsonRpcResponse | JsonRpcResponse[]): string {
    try {
      return JSON.stringify(response)
    } catch {
      // A result that JSON cannot represent (a cycle, a BigInt): answer an internal error instead.
      const fail = (r: JsonRpcResponse) =>
        errorResponse(r.id, ErrorCode.InternalError, 'Internal error')
      return JSON.stringify(Array.isArray(response) ? response.map(fail) : fail(response))
    }
  }

  return {
    async handle(body) {
      const parsed = parseMessage(body, parseOptions)
      if (!parsed.ok) return serialize(parsed.error)
      if (!parsed.batch) {
        const pending = run(parsed.message)
        const response = pending instanceof Promise ? await pending : pending
        return response === undefined ? undefined : write(response)
      }
      let anyPromise = false
      const started = parsed.items.map((item) => {
        const answer = item.ok ? run(item.message) : item.error
        if (answer instanceof Promise) anyPromise = true
        return answer
      })
      const answers = anyPromise ? await Promise.all(started) : (started as Answer[])
      const responses = answers.filter((a): a is JsonRpcResponse => a !== undefined)
      return responses.length === 0 ? undefined : write(responses)
    },
  }
}
