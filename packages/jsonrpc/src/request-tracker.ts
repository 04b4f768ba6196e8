import { ErrorCode } from './error-code.js'
import { JsonRpcError } from './json-rpc-error.js'
import type { JsonRpcParams, JsonRpcRequest, JsonRpcResponse } from './types.js'

/** Options of {@link createRequestTracker}. */
export interface RequestTrackerOptions {
  /** Default time to wait for a response, in ms; `0` waits forever. Default 60 000. */
  timeoutMs?: number
}

/** Per-request options of {@link RequestTracker.create}. */
export interface TrackOptions {
  /** Cancels waiting: the response promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** Overrides the tracker's timeout for this request. */
  timeoutMs?: number
}

/** A request ready to send and the promise of its result. */
export interface TrackedRequest {
  /** The request to send, with its fresh id. */
  readonly request: JsonRpcRequest
  /** Resolves with `result`; rejects with a {@link JsonRpcError} for an error response or a timeout. */
  readonly response: Promise<unknown>
}

/** The tracker returned by {@link createRequestTracker}. */
export interface RequestTracker {
  /** Makes a request with a fresh id and starts waiting for its response. */
  create(method: string, params?: JsonRpcParams, options?: TrackOptions): TrackedRequest
  /** Settles the pending request a response answers; `false` when none waits for it. */
  handleResponse(response: JsonRpcResponse): boolean
  /** Rejects every pending request (for example when the connection closes). */
  rejectAll(reason?: unknown): void
  /** How many requests are waiting. */
  readonly size: number
}

interface Pending {
  resolve(value: unknown): void
  reject(reason: unknown): void
  cleanup(): void
}

/**
 * Tracks the requests one side sends: fresh ids, responses matched to their requests, timeouts,
 * `AbortSignal` cancellation, and rejection of everything pending on close. A settled entry is
 * removed at once with its timer and abort listener, so nothing leaks.
 *
 * @param options The default timeout.
 * @returns The tracker.
 * @example
 * ```ts
 * const tracker = createRequestTracker({ timeoutMs: 10_000 })
 * const { request, response } = tracker.create('sampling/createMessage', { messages: [] })
 * send(request) // later: tracker.handleResponse(incomingResponse)
 * const result = await response
 * ```
 * @see https://www.jsonrpc.org/specification#response_object
 */
export function createRequestTracker(options: RequestTrackerOptions = {}): RequestTracker {
  const defaultTimeout = options.timeoutMs ?? 60_000
  const pending = new Map<number, Pending>()
  let nextId = 0

  return {
    create(method, params, trackOptions = {}) {
      const id = nextId++
      const request: JsonRpcRequest =
        params === undefined
          ? { jsonrpc: '2.0', id, method }
          : { jsonrpc: '2.0', id, method, params }
      const response = new Promise<unknown>((resolve, reject) => {
        const { signal } = trackOptions
        const timeoutMs = trackOptions.timeoutMs ?? defaultTimeout
        let timer: ReturnType<typeof setTimeout> | undefined
        const onAbort = () => settle().reject(signal!.reason)
        const settle = (): Pending => {
          const entry = pending.get(id)!
          entry.cleanup()
          return entry
        }
        const entry: Pending = {
          resolve,
          reject,
          cleanup() {
            pending.delete(id)
            if (timer !== undefined) clearTimeout(timer)
            signal?.removeEventListener('abort', onAbort)
          },
        }
        if (signal?.aborted) {
          reject(signal.reason)
          return
        }
        pending.set(id, entry)
        signal?.addEventListener('abort', onAbort, { once: true })
        if (timeoutMs > 0) {
          timer = setTimeout(() => {
            settle().reject(
              new JsonRpcError(ErrorCode.RequestTimeout, 'Request timed out', { timeoutMs }),
            )
          }, timeoutMs)
        }
      })
      return { request, response }
    },
    handleResponse(message) {
      const entry = typeof message.id === 'number' ? pending.get(message.id) : undefined
      if (entry === undefined) return false
      entry.cleanup()
      if ('error' in message) {
        entry.reject(
          new JsonRpcError(message.error.code, message.error.message, message.error.data),
        )
      } else {
        entry.resolve(message.result)
      }
      return true
    },
    rejectAll(reason = new JsonRpcError(ErrorCode.ConnectionClosed, 'Connection closed')) {
      for (const entry of [...pending.values()]) {
        entry.cleanup()
        entry.reject(reason)
      }
    },
    get size() {
      return pending.size
    },
  }
}
