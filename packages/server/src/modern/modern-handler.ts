/**
 * What the modern leg receives with each request, besides the body-less `Request`.
 *
 * @example
 * ```ts
 * const modern: ModernHandler = {
 *   async fetch(request, options?: ModernFetchOptions) {
 *     return Response.json({ jsonrpc: '2.0', id: (options?.parsedBody as { id: number }).id, result: {} })
 *   },
 * }
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
 */
export interface ModernFetchOptions {
  /** The JSON body, already parsed (the `Request` itself has no body). */
  readonly parsedBody?: unknown
  /**
   * What `authenticate` returned for the request. Typed `never` so that a delegate whose own
   * auth type is narrower (the SDK's `AuthInfo` requires `scopes`) is still assignable; the
   * handler passes it on as is.
   */
  readonly authInfo?: never
}

/**
 * Serves MCP 2026-07-28 and later: structurally the official SDK v2's
 * `createMcpHandler(factory, { legacy: 'reject' })` result, which `createMcpHandler({ modern })`
 * calls for every request it classifies as modern (see `classifyEra`).
 *
 * @example
 * ```ts
 * import { createMcpHandler } from '@mcpwire/server'
 * import { createMcpHandler as createSdkHandler, McpServer } from '@modelcontextprotocol/server'
 *
 * const build = () => new McpServer({ name: 'demo', version: '1.0.0' })
 * const mcp = createMcpHandler({
 *   connect: (transport) => build().connect(transport),
 *   modern: createSdkHandler(() => build(), { legacy: 'reject', keepAliveMs: 5000 }),
 * })
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
 */
export interface ModernHandler {
  /**
   * Answers one modern request. The `Request` carries the method, URL and headers of the
   * client's request, no body, and a signal that aborts when the client goes away.
   */
  fetch(request: Request, options?: ModernFetchOptions): Promise<Response>
  /** Ends the delegate's in-flight exchanges and streams; awaited by the handler's `close()`. */
  close?(): Promise<void>
}
