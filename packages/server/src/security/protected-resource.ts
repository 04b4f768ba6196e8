/** The well-known path prefix of OAuth protected-resource metadata (RFC 9728 §3). */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource'

/**
 * OAuth 2.0 protected-resource metadata (RFC 9728 §2), as an MCP server publishes it so clients
 * can find its authorization servers. Fields beyond these are sent as given.
 *
 * @see https://datatracker.ietf.org/doc/html/rfc9728#section-2
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#authorization-server-location
 */
export interface ProtectedResourceMetadata {
  /** The resource identifier: the MCP server's canonical URI, for example `https://mcp.example.com/mcp`. */
  readonly resource: string
  /** Issuer URLs of the authorization servers whose tokens the server accepts (at least one). */
  readonly authorization_servers: readonly string[]
  /** Scopes a client may request; ideally the minimum for basic use. */
  readonly scopes_supported?: readonly string[]
  /** How a token may be sent: MCP allows the `Authorization` header only. */
  readonly bearer_methods_supported?: readonly string[]
  /** A human-readable name of the server. */
  readonly resource_name?: string
  /** A page documenting the server. */
  readonly resource_documentation?: string
  readonly [field: string]: unknown
}

/**
 * The well-known path of a resource's metadata: the resource's path is appended to
 * `/.well-known/oauth-protected-resource` (nothing for a resource at the root).
 *
 * @param resource The resource identifier (an absolute URL).
 * @returns For example `/.well-known/oauth-protected-resource/mcp`.
 * @example
 * ```ts
 * protectedResourceMetadataPath('https://example.com/api/mcp')
 * // '/.well-known/oauth-protected-resource/api/mcp'
 * ```
 * @see https://datatracker.ietf.org/doc/html/rfc9728#section-3.1
 */
export function protectedResourceMetadataPath(resource: string): string {
  const { pathname } = new URL(resource)
  return pathname === '/' ? PROTECTED_RESOURCE_WELL_KNOWN : PROTECTED_RESOURCE_WELL_KNOWN + pathname
}

/**
 * The absolute URL of a resource's metadata document, as `WWW-Authenticate` names it in
 * `resource_metadata`.
 *
 * @param resource The resource identifier (an absolute URL).
 * @returns For example `https://example.com/.well-known/oauth-protected-resource/mcp`.
 * @example
 * ```ts
 * protectedResourceMetadataUrl('https://example.com/mcp')
 * ```
 * @see https://datatracker.ietf.org/doc/html/rfc9728#section-5.1
 */
export function protectedResourceMetadataUrl(resource: string): string {
  return new URL(protectedResourceMetadataPath(resource), resource).href
}

/**
 * The metadata document as a `200 application/json` response any origin may read (the document
 * is public and browser clients fetch it before they hold a token).
 *
 * @param metadata The document.
 * @returns The response.
 * @example
 * ```ts
 * return protectedResourceMetadataResponse({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorization_servers: ['https://auth.example.com'],
 * })
 * ```
 * @see https://datatracker.ietf.org/doc/html/rfc9728#section-3.2
 */
export function protectedResourceMetadataResponse(metadata: ProtectedResourceMetadata): Response {
  return new Response(JSON.stringify(metadata), {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
    },
  })
}
