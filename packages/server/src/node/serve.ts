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
}

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
  const server = createServer(toNodeHandler(options.fetch, { onError: options.onError }))
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
