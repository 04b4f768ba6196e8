import { headersObject } from './http-checks.js'
import type { Incoming } from './incoming.js'

/** The SDK's `RequestInfo` as the handler hands it over: headers and URL. */
export interface LazyRequestInfo {
  readonly headers: Record<string, string>
  readonly url: URL
}

/**
 * `requestInfo` for the messages of one POST, its `headers` object built on first read: an
 * enumerable getter, so spreading, `JSON.stringify` and `structuredClone` still see the headers,
 * while a server that never looks (SDK v2 reads `request` instead; SDK v1 only passes the object
 * on to handlers) pays nothing for them. Every read returns the same object.
 *
 * @example
 * const info = lazyRequestInfo(request)
 * info.headers['mcp-session-id'] // built here, once
 *
 * @param request The request the messages came in.
 * @returns The request info.
 */
export function lazyRequestInfo(request: Incoming): LazyRequestInfo {
  let headers: Record<string, string> | undefined
  return {
    get headers(): Record<string, string> {
      headers ??= headersObject(request)
      return headers
    },
    url: request.parsedUrl,
  }
}
