import { McpHttpError } from './errors.js'
import { InsufficientScopeError } from './insufficient-scope.js'

/** The registry symbol under which SDK v2 errors carry their brands across bundles. */
const BRANDS = Symbol.for('mcp.sdk.errorBrands')
const HTTP_ERROR_BRANDS = ['mcp.SdkError', 'mcp.SdkHttpError']

/**
 * Marks an HTTP failure so the official SDK v2 `Client` recognises it as its `SdkHttpError`
 * (`instanceof` through the shared `Symbol.for('mcp.sdk.errorBrands')` brand set) and reads its
 * `data: { status, statusText, text }`. Its version negotiation then treats the failure as an HTTP
 * answer (a 404 or 405 to the probe means a legacy server) rather than a network error (rule R-F4).
 * Other errors are returned unchanged. The error keeps its own class, message and numeric `code`.
 *
 * @param error What a transport's `send()` threw.
 * @example
 * ```ts
 * try { await transport.send(message) } catch (error) { throw withSdkErrorBrands(error) }
 * ```
 */
export function withSdkErrorBrands<T>(error: T): T {
  let data: { status: number; statusText: string | undefined; text: string | undefined }
  if (error instanceof McpHttpError)
    data = { status: error.status, statusText: error.statusText, text: error.bodyText }
  else if (error instanceof InsufficientScopeError)
    data = { status: error.status, statusText: 'Forbidden', text: undefined }
  else return error
  Object.defineProperty(error, BRANDS, { value: new Set(HTTP_ERROR_BRANDS), configurable: true })
  Object.defineProperty(error, 'data', { value: data, configurable: true })
  return error
}
