import { idKey, type RequestId } from '../protocol/message.js'

/**
 * The id of a stream of session `sessionId` in a cluster: `<sessionId>.<suffix>`, so every store
 * finds a stream's session from its id (and from its event ids) without a lookup.
 *
 * @param suffix Unique within the session; letters, digits and `-` only.
 * @example
 * ```ts
 * clusterStreamId('3f2a…', 'k9x1') // '3f2a….k9x1'
 * ```
 */
export function clusterStreamId(sessionId: string, suffix: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(suffix)) {
    throw new TypeError('A stream id suffix has letters, digits and - only')
  }
  return `${sessionId}.${suffix}`
}

/**
 * The id of a session's standalone (GET) stream, known to every instance without a lookup.
 *
 * @example
 * ```ts
 * standaloneStreamId('3f2a…') // '3f2a….g'
 * ```
 */
export function standaloneStreamId(sessionId: string): string {
  return `${sessionId}.g`
}

/**
 * The session of a cluster stream id (see {@link clusterStreamId}).
 *
 * @throws {TypeError} When `streamId` is not of the form `<sessionId>.<suffix>`.
 * @example
 * ```ts
 * sessionOfStream('3f2a….k9x1') // '3f2a…'
 * ```
 */
export function sessionOfStream(streamId: string): string {
  const dot = streamId.lastIndexOf('.')
  if (dot <= 0 || !/^[A-Za-z0-9-]+$/.test(streamId.slice(dot + 1))) {
    throw new TypeError('A cluster stream id is <sessionId>.<suffix>')
  }
  return streamId.slice(0, dot)
}

/**
 * The event id of the `n`th event of a stream: `<streamId>_<n>`, the same form as
 * {@link InMemoryEventStore}'s, so the stream of an event id is read from the id.
 *
 * @example
 * ```ts
 * clusterEventId('3f2a….g', 4) // '3f2a….g_4'
 * ```
 */
export function clusterEventId(streamId: string, n: number): string {
  return `${streamId}_${n}`
}

/**
 * Splits an event id into its stream and position, or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseClusterEventId('3f2a….g_4') // { streamId: '3f2a….g', n: 4 }
 * ```
 */
export function parseClusterEventId(eventId: string):
  | {
      /** The stream the event belongs to. */
      streamId: string
      /** The event's position in its stream, counting from 1. */
      n: number
    }
  | undefined {
  const at = eventId.lastIndexOf('_')
  if (at <= 0) return undefined
  const digits = eventId.slice(at + 1)
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined
  const n = Number(digits)
  if (!Number.isSafeInteger(n)) return undefined
  const streamId = eventId.slice(0, at)
  const dot = streamId.lastIndexOf('.')
  if (dot <= 0 || !/^[A-Za-z0-9-]+$/.test(streamId.slice(dot + 1))) return undefined
  return { streamId, n }
}

/**
 * The key a cluster store uses for a JSON-RPC request id: `n1` for the number 1, `s1` for the
 * string "1", so the two stay apart.
 *
 * @example
 * ```ts
 * requestKey(7) // 'n7'
 * ```
 */
export function requestKey(id: RequestId): string {
  return idKey(id)
}

/**
 * The request key a message answers: a result or error response with a string or number id.
 *
 * @example
 * ```ts
 * answeredKey({ jsonrpc: '2.0', id: 7, result: {} }) // 'n7'
 * ```
 */
export function answeredKey(message: { readonly [key: string]: unknown }): string | undefined {
  if (!('result' in message) && !('error' in message)) return undefined
  const id = message.id
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return idKey(id)
  return undefined
}
