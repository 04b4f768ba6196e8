/** What {@link AuthHook.onUnauthorized} learns about the refusal. */
export interface UnauthorizedContext {
  /** The 401 response (its body is not read). */
  response: Response
  /** The URL that refused. */
  url: URL
  /** On a 403 step-up (`insufficient_scope`): the scope the server asked for, if it named one. */
  scope?: string | undefined
}

/**
 * The authentication seam: the transport adds `Authorization: Bearer <token()>` to every request
 * and, on a 401, runs `onUnauthorized` once for all requests refused together, then retries each of
 * them once. Shaped like the SDK v2 `AuthProvider`, so one can be passed as it is; full OAuth
 * (discovery, PKCE, registration) stays outside this package.
 *
 * @example
 * ```ts
 * const auth: AuthHook = {
 *   token: () => tokens.access,
 *   onUnauthorized: async () => { tokens = await refresh(tokens) },
 * }
 * ```
 */
export interface AuthHook {
  /** The bearer token to send, or `undefined` for none. */
  token(): string | undefined | Promise<string | undefined>
  /**
   * Refreshes the credentials after a 401, or after a 403 `insufficient_scope` (then with the
   * required `scope`); requests refused meanwhile wait for it and retry once.
   */
  onUnauthorized?(context: UnauthorizedContext): void | Promise<void>
}
