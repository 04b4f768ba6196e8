import type { JsonRpcMessage } from './types.js'

function ordered(message: JsonRpcMessage): object {
  const m = message as Partial<Record<'id' | 'method' | 'params' | 'result' | 'error', unknown>>
  if (m.method !== undefined)
    return { jsonrpc: '2.0', id: m.id, method: m.method, params: m.params }
  if (m.error !== undefined) return { jsonrpc: '2.0', id: m.id, error: m.error }
  return { jsonrpc: '2.0', id: m.id, result: m.result }
}

/**
 * Serializes a message or a batch as canonical compact JSON: members in the order `jsonrpc`,
 * `id`, `method`, `params` (or `result` / `error`), `undefined` members left out.
 *
 * @param message One message or an array of them.
 * @returns The JSON text.
 * @example
 * ```ts
 * serialize({ method: 'ping', id: 1, jsonrpc: '2.0' }) // '{"jsonrpc":"2.0","id":1,"method":"ping"}'
 * ```
 * @see https://www.jsonrpc.org/specification
 */
export function serialize(message: JsonRpcMessage | readonly JsonRpcMessage[]): string {
  if (Array.isArray(message)) return JSON.stringify(message.map(ordered))
  return JSON.stringify(ordered(message as JsonRpcMessage))
}
