import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type FetchHandler, toNodeHandler } from './to-node-handler.js'

/** Options for {@link serve}. */
export interface ServeOptions {
  /** The Web-standard handler, such as `createMcpHandler(...).fetch`. */
  readonly fetch: FetchHandler
  /** TCP port. Default: 3000; 0 picks a free port. */
  readonly port?: number | undefined
  /** Interface to bind. Default: `127.0.0.1` (loopback only, as the MCP spec advises locally). */
  readonly hostname?: string | undefined
  /** Aborting it closes the server and every open connection. */
  readonly signal?: AbortSignal | undefined
  /** Receives errors the bridge catches (see {@link toNodeHandler}). Default: `console.error`. */
  readonly onError?: ((error: unknown) => void) | undefined
  /**
   * Time a client has to send a request's headers; a slower one gets 408 and is disconnected, so
   * idle half-open sockets (slowloris) do not pile up. Default: 10,000 ms.
   */
  readonly headersTimeoutMs?: number | undefined
  /**
   * Time a client has to send a whole request, headers and body; a body sent too slowly gets 408.
   * Responses are not limited: event streams stay open as long as the handler keeps them.
   * Default: 30,000 ms.
   */
  readonly requestTimeoutMs?: number | undefined
}

/** The default of {@link ServeOptions.headersTimeoutMs}. */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
/** The default of {@link ServeOptions.requestTimeoutMs}. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** A running server started by {@link serve}. */
export interface NodeServer {
  /** The underlying `node:http` server. */
  readonly server: Server
  /** The base URL it listens on, for example `http://127.0.0.1:3000/`. */
  readonly url: URL
  /** Stops listening and closes every connection, open event streams included. */
  close(): Promise<void>
}

/**
 * Serves a `fetch(request)` handler with `node:http`.
 *
 * Slow clients are bounded: headers must arrive within `headersTimeoutMs` (10 s) and a whole
 * request within `requestTimeoutMs` (30 s), checked every second; a late client gets 408 and is
 * disconnected. A slow reader of a response is bounded by the handler (`maxStreamBufferBytes`).
 *
 * @param options Handler, port, hostname, abort signal and error callback.
 * @returns The running server once it listens.
 * @example
 * ```ts
 * const { url, close } = await serve({ fetch: mcp.fetch, port: 3000 })
 * console.log(`MCP endpoint: ${new URL('/mcp', url)}`)
 * ```
 * @see https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 */
export function serve(options: ServeOptions): Promise<NodeServer> {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS
  const requestTimeout = Math.max(
    headersTimeout,
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  )
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this interval (30 s by default, far past them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, headersTimeout / 4)),
    },
    toNodeHandler(options.fetch, { onError: options.onError }),
  )
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason)
      return
    }
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.hostname ?? '127.0.0.1', () => {
      server.off('error', reject)
      if (options.signal?.aborted) void close()
      else options.signal?.addEventListener('abort', () => void close(), { once: true })
      const address = server.address() as AddressInfo
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      resolve({ server, url: new URL(`http://${host}:${address.port}/`), close })
    })
  })
}
