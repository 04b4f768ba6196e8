/**
 * The protocol revisions this handler speaks over Streamable HTTP, newest first.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#protocol-version-header
 */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
]

/** The version assumed when a request carries no `MCP-Protocol-Version` header. */
export const DEFAULT_PROTOCOL_VERSION = '2025-03-26'

/**
 * Reads the `MCP-Protocol-Version` header of a request.
 *
 * @param request The incoming request (anything with Fetch-style `headers`).
 * @returns The version (the default when absent), or `undefined` when the value is unsupported.
 * @example
 * ```ts
 * readProtocolVersion(new Request('http://localhost/mcp')) // '2025-03-26'
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#protocol-version-header
 */
export function readProtocolVersion(request: {
  readonly headers: { get(name: string): string | null }
}): string | undefined {
  const value = request.headers.get('mcp-protocol-version')
  if (value === null) return DEFAULT_PROTOCOL_VERSION
  return SUPPORTED_PROTOCOL_VERSIONS.includes(value) ? value : undefined
}

/** Whether a revision lets a POST body carry a JSON-RPC batch (only 2025-03-26 does). */
export function allowsBatch(version: string): boolean {
  return version <= '2025-03-26'
}

/** Whether a revision understands SSE priming events (an id with empty data): 2025-11-25 and later. */
export function supportsPriming(version: string): boolean {
  return version >= '2025-11-25'
}
