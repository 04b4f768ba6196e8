import { ErrorCode } from './error-code.js'
import { JsonRpcError } from './json-rpc-error.js'
import { errorResponse } from './message-kind.js'
import { type ParseOptions, parseMessage } from './parse-message.js'
import { serialize } from './serialize.js'
import type { JsonRpcId, JsonRpcMessage, JsonRpcParams, JsonRpcResponse } from './types.js'

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

  async function run(message: JsonRpcMessage): Promise<JsonRpcResponse | undefined> {
    const m = message as { id?: JsonRpcId; method?: string; params?: JsonRpcParams }
    if (m.method === undefined) return undefined // a response: nothing to answer
    const isNotification = m.id === undefined
    const fn = Object.hasOwn(methods, m.method) ? methods[m.method] : undefined
    if (typeof fn !== 'function') {
      return isNotification
        ? undefined
        : errorResponse(m.id!, ErrorCode.MethodNotFound, 'Method not found')
    }
    try {
      const result = await fn(m.params, { id: m.id, method: m.method })
      return isNotification ? undefined : { jsonrpc: '2.0', id: m.id!, result: result ?? null }
    } catch (error) {
      if (isNotification) return undefined
      if (error instanceof JsonRpcError) {
        return errorResponse(m.id!, error.code, error.message, error.data)
      }
      return errorResponse(m.id!, ErrorCode.InternalError, 'Internal error')
    }
  }

  function write(response: JsonRpcResponse | JsonRpcResponse[]): string {
    try {
      return serialize(response)
    } catch {
      // A result that JSON cannot represent (a cycle, a BigInt): answer an internal error instead.
      const fail = (r: JsonRpcResponse) =>
        errorResponse(r.id, ErrorCode.InternalError, 'Internal error')
      return serialize(Array.isArray(response) ? response.map(fail) : fail(response))
    }
  }

  return {
    async handle(body) {
      const parsed = parseMessage(body, parseOptions)
      if (!parsed.ok) return serialize(parsed.error)
      if (!parsed.batch) {
        const response = await run(parsed.message)
        return response === undefined ? undefined : write(response)
      }
      const answers = await Promise.all(
        parsed.items.map((item) => (item.ok ? run(item.message) : item.error)),
      )
      const responses = answers.filter((a): a is JsonRpcResponse => a !== undefined)
      return responses.length === 0 ? undefined : write(responses)
    },
  }
}
