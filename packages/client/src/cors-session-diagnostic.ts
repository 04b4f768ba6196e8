/** The explanation given once for a session id a browser hid from the client (rule R-B1). */
export const HIDDEN_SESSION_ID_MESSAGE =
  'HTTP 400 after an initialize whose Mcp-Session-Id this page could not read: the server must send Access-Control-Expose-Headers: Mcp-Session-Id'

/**
 * Spots the commonest browser failure of Streamable HTTP: a cross-origin server that does not
 * expose `Mcp-Session-Id` through CORS, so the page never sees the session id and the server
 * refuses the next request with 400. After an `initialize` answered in a CORS context without a
 * readable session id, the first 400 gets an explanation naming the missing header, once.
 *
 * @example
 * ```ts
 * const diagnostic = new CorsSessionDiagnostic()
 * diagnostic.initialized(initializeResponse)
 * const message = diagnostic.explain(400) // the explanation, then undefined
 * ```
 * @see https://developer.mozilla.org/docs/Web/HTTP/Reference/Headers/Access-Control-Expose-Headers
 */
export class CorsSessionDiagnostic {
  #suspect = false
  #raised = false

  /** Records a 2xx answer to `initialize`: suspect when it is a CORS response without the id. */
  initialized(response: Response): void {
    this.#suspect = response.type === 'cors' && !response.headers.has('mcp-session-id')
  }

  /** The explanation for a refused request's status, the first time it applies; else `undefined`. */
  explain(status: number): string | undefined {
    if (status !== 400 || !this.#suspect || this.#raised) return undefined
    this.#raised = true
    return HIDDEN_SESSION_ID_MESSAGE
  }
}
