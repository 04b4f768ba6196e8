import { UnauthorizedError } from './errors.js'

/**
 * The server refused a request for lack of scope (HTTP 403 with `WWW-Authenticate: Bearer
 * error="insufficient_scope"`) and step-up re-authorization was off, had no hook, or did not help.
 * A subclass of {@link UnauthorizedError}, so code that catches auth failures catches it too.
 *
 * @example
 * ```ts
 * if (error instanceof InsufficientScopeError) await login({ scope: error.scope })
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#scope-challenge-handling
 */
export class InsufficientScopeError extends UnauthorizedError {
  /** Always `'InsufficientScopeError'`. */
  override name = 'InsufficientScopeError'
  /** The scope the server asked for (its `scope` challenge parameter), when it named one. */
  readonly scope: string | undefined
  constructor(message: string, scope: string | undefined) {
    super(message, 403)
    this.scope = scope
  }
}

/** What a 403 `insufficient_scope` challenge asks for. */
export interface ScopeChallenge {
  /** The space-separated scopes the server requires, when its challenge names them. */
  scope: string | undefined
}

/** `name=value` or `name="quoted \" value"` pairs of one challenge. */
const PARAM = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/g

/**
 * Reads a 403's `WWW-Authenticate` header: whether its Bearer challenge says
 * `error="insufficient_scope"`, and the `scope` it asks for.
 *
 * @returns `undefined` when the response is not an insufficient-scope refusal.
 * @example
 * ```ts
 * insufficientScopeChallenge(response) // { scope: 'files:write' }
 * ```
 * @see https://datatracker.ietf.org/doc/html/rfc6750#section-3.1
 */
export function insufficientScopeChallenge(response: Response): ScopeChallenge | undefined {
  if (response.status !== 403) return undefined
  const header = response.headers.get('www-authenticate')
  if (header === null) return undefined
  const bearer = /(?:^|,)\s*bearer(?:\s+|$)/i.exec(header)
  if (bearer === null) return undefined
  const params = new Map<string, string>()
  PARAM.lastIndex = bearer.index + bearer[0].length
  for (let match = PARAM.exec(header); match !== null; match = PARAM.exec(header)) {
    const name = (match[1] as string).toLowerCase()
    if (!params.has(name)) params.set(name, match[2]?.replace(/\\(.)/g, '$1') ?? match[3] ?? '')
  }
  if (params.get('error') !== 'insufficient_scope') return undefined
  return { scope: params.get('scope') }
}
