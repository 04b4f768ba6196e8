import { errorResponse } from '../http/error-response.js'
import { readBody } from '../http/read-body.js'
import type { AuthInfo } from '../options.js'
import {
  PROTECTED_RESOURCE_WELL_KNOWN,
  type ProtectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
} from './protected-resource.js'

/**
 * What `verify` says about a valid token: who holds it and what it grants. Shaped like the
 * official SDK's `AuthInfo`, so tool handlers read `extra.authInfo.scopes` as usual.
 */
export interface VerifiedToken extends AuthInfo {
  /** Scopes the token grants. Default: none. */
  readonly scopes?: readonly string[]
  /** When the token expires, in seconds since the epoch; past it the token is refused (401). */
  readonly expiresAt?: number
}

/** One MCP message of a POST, as {@link BearerAuthOptions.scopesFor} sees it. */
export interface McpCall {
  /** The JSON-RPC method, for example `tools/call`. */
  readonly method: string
  /** Its params as sent (for `tools/call`: `{ name, arguments }`); not validated yet. */
  readonly params?: unknown
}

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  /**
   * Checks a token with your own code (a JWT library, introspection, a lookup): return what it
   * grants, or `undefined` when it is not valid. It MUST check the token was issued for this
   * server (its audience is {@link resource}); a token for another server must be refused.
   * Give a stable `principal` or `clientId`: a session only serves the principal that opened
   * it, and the token itself changes when it is refreshed or stepped up.
   */
  readonly verify: (
    token: string,
    request: Request,
  ) => VerifiedToken | undefined | Promise<VerifiedToken | undefined>
  /** Issuer URLs of the authorization servers, published in the metadata document (at least one). */
  readonly authorizationServers: readonly string[]
  /**
   * The server's canonical URI, the audience tokens are issued for. Default: the request's
   * origin plus the MCP endpoint's path (`http://127.0.0.1:3000/mcp`). Set it behind a proxy,
   * or when legacy HTTP+SSE clients must accept it too (use the origin, `https://mcp.example.com`).
   */
  readonly resource?: string
  /** Scopes every request needs. Default: none. */
  readonly requiredScopes?: readonly string[]
  /**
   * Scopes one message needs on top of {@link requiredScopes}, for step-up authorization: a
   * POST whose messages need scopes the token lacks gets 403 `insufficient_scope`, and the client
   * asks for a new token with them. Reading the body for this costs a copy of it; it is read
   * only when this option is set. Default: none.
   */
  readonly scopesFor?: (call: McpCall) => readonly string[] | undefined
  /** `scopes_supported` in the metadata document. Default: {@link requiredScopes} when given. */
  readonly scopesSupported?: readonly string[]
  /** More fields of the metadata document (`resource_name`, `resource_documentation`, ...). */
  readonly metadata?: Readonly<Record<string, unknown>>
  /** Largest body read to find the messages for {@link scopesFor}, in bytes. Default: 4 MiB. */
  readonly maxBodyBytes?: number
}

/** The resource-server side of MCP authorization, from {@link bearerAuth}. */
export interface BearerAuth {
  /**
   * Checks the request's bearer token: the token's auth info when it is valid and grants the
   * required scopes, otherwise the 401 or 403 response to send.
   *
   * @param request The request.
   * @param path The MCP endpoint's path, for the default resource. Default: `/mcp`.
   */
  authenticate(request: Request, path?: string): Promise<AuthInfo | Response>
  /**
   * The metadata document when `request` is a GET of its well-known URL
   * (`/.well-known/oauth-protected-resource` plus the resource's path, or without the path),
   * otherwise `undefined`.
   *
   * @param request The request.
   * @param path The MCP endpoint's path, for the default resource. Default: `/mcp`.
   */
  metadataResponse(
    request: Request | { url: string; method: string },
    path?: string,
  ): Response | undefined
}

// RFC 6750 §2.1: b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

function challenge(params: Record<string, string | undefined>): string {
  const parts: string[] = []
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) parts.push(`${name}=${quoted(value)}`)
  }
  return `Bearer ${parts.join(', ')}`
}

function unique(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)]
}

/** The MCP messages of a JSON body: one object, or the objects of a batch. */
function callsOf(text: string): McpCall[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  const items = Array.isArray(parsed) ? parsed : [parsed]
  const calls: McpCall[] = []
  for (const item of items) {
    if (typeof item === 'object' && item !== null && typeof item.method === 'string') {
      calls.push({ method: item.method, params: item.params })
    }
  }
  return calls
}

/**
 * MCP authorization for a resource server: checks `Authorization: Bearer` tokens with your own
 * `verify`, answers what the spec asks, and serves the protected-resource metadata (RFC 9728).
 *
 * - No token, or not a bearer one: 401 with
 *   `WWW-Authenticate: Bearer resource_metadata="…", scope="…"` (the scope when some are required).
 * - A token `verify` refuses, or past its `expiresAt`: 401 with `error="invalid_token"` too.
 * - A valid token lacking a required scope: 403 with `error="insufficient_scope"` and `scope`
 *   listing the token's scopes plus the ones needed, so the client keeps what it had.
 *
 * Tokens are read from the `Authorization` header only, never from the query string.
 * Pass the result as `createMcpHandler({ auth })`, which also serves the metadata document,
 * or call `authenticate` and `metadataResponse` from your own routes.
 *
 * @param options See {@link BearerAuthOptions}.
 * @returns The checks, see {@link BearerAuth}.
 * @example
 * ```ts
 * const auth = bearerAuth({
 *   authorizationServers: ['https://auth.example.com'],
 *   requiredScopes: ['mcp'],
 *   verify: async (token) => {
 *     const claims = await myVerifyJwt(token, { audience: 'https://mcp.example.com/mcp' })
 *     return claims && { principal: claims.sub, clientId: claims.client_id, scopes: claims.scope.split(' '), expiresAt: claims.exp }
 *   },
 * })
 * const mcp = createMcpHandler({ connect, auth })
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
 */
export function bearerAuth(options: BearerAuthOptions): BearerAuth {
  if (typeof options.verify !== 'function') throw new TypeError('verify must be a function')
  if (options.authorizationServers.length === 0) {
    throw new TypeError('authorizationServers must name at least one authorization server')
  }
  if (options.resource !== undefined) {
    const url = new URL(options.resource) // throws a TypeError when not an absolute URL
    if (url.hash !== '') throw new TypeError('resource must not have a fragment')
  }
  const required = unique(options.requiredScopes ?? [])
  const scopesSupported = options.scopesSupported ?? (required.length > 0 ? required : undefined)
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024

  const resourceOf = (requestUrl: string, path = '/mcp'): string =>
    options.resource ?? new URL(path, requestUrl).href

  const refuse = (
    status: 401 | 403,
    message: string,
    params: Record<string, string | undefined>,
    resource: string,
  ): Response =>
    errorResponse(status, -32000, message, {
      'www-authenticate': challenge({
        ...params,
        resource_metadata: protectedResourceMetadataUrl(resource),
      }),
    })

  const scopesNeeded = async (request: Request): Promise<string[]> => {
    if (options.scopesFor === undefined || request.method !== 'POST' || request.body === null) {
      return required
    }
    const body = await readBody(request.clone(), maxBodyBytes)
    if (!body.ok) return required // the handler answers the bad body itself
    const needed = [...required]
    for (const call of callsOf(body.text)) needed.push(...(options.scopesFor(call) ?? []))
    return unique(needed)
  }

  return {
    async authenticate(request, path) {
      const resource = resourceOf(request.url, path)
      const scope = required.length > 0 ? required.join(' ') : undefined
      const header = request.headers.get('authorization')
      const match = header === null ? null : BEARER.exec(header)
      if (match === null) {
        return refuse(401, 'Unauthorized: a bearer token is required', { scope }, resource)
      }
      const token = match[1]!
      const verified = await options.verify(token, request)
      const expired = verified?.expiresAt !== undefined && verified.expiresAt * 1000 <= Date.now()
      if (verified === undefined || expired) {
        const description = expired ? 'The token expired' : 'The token is not valid'
        return refuse(
          401,
          'Unauthorized: invalid token',
          { error: 'invalid_token', error_description: description, scope },
          resource,
        )
      }
      const granted = verified.scopes ?? []
      const needed = await scopesNeeded(request)
      const missing = needed.filter((name) => !granted.includes(name))
      if (missing.length > 0) {
        return refuse(
          403,
          'Forbidden: insufficient scope',
          {
            error: 'insufficient_scope',
            scope: unique([...granted, ...needed]).join(' '),
            error_description: `Requires scope ${missing.join(' ')}`,
          },
          resource,
        )
      }
      return { ...verified, token }
    },

    metadataResponse(request, path) {
      if (request.method !== 'GET') return undefined
      const { pathname } = new URL(request.url)
      const resource = resourceOf(request.url, path)
      const own = protectedResourceMetadataPath(resource)
      if (pathname !== own && pathname !== PROTECTED_RESOURCE_WELL_KNOWN) return undefined
      const metadata: ProtectedResourceMetadata = {
        ...options.metadata,
        resource,
        authorization_servers: options.authorizationServers,
        bearer_methods_supported: ['header'],
        ...(scopesSupported === undefined ? {} : { scopes_supported: scopesSupported }),
      }
      return protectedResourceMetadataResponse(metadata)
    },
  }
}
