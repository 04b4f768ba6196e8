/**
 * What the transport does with a request whose 2026-07-28 response stream broke before the
 * response (the request is lost, and the client must re-issue it under a new id):
 * `'safe'` re-issues only methods without side effects, `'always'` every request, `'never'` none.
 */
export type ReissuePolicy = 'safe' | 'always' | 'never'

/** Methods that only read: listing, reading, getting, discovering, completing, pinging. */
const SAFE_METHOD = /(?:^|\/)(?:list|read|get|discover|complete)$/

/**
 * Whether a lost request may be re-issued under the policy.
 *
 * @param policy See {@link ReissuePolicy}.
 * @param method The request's JSON-RPC method.
 * @example
 * ```ts
 * mayReissue('safe', 'tools/list') // true
 * mayReissue('safe', 'tools/call') // false: it may have had effects
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/changelog
 */
export function mayReissue(policy: ReissuePolicy, method: string): boolean {
  if (policy === 'never') return false
  if (policy === 'always') return true
  return method === 'ping' || SAFE_METHOD.test(method)
}
