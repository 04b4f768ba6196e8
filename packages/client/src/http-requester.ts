import type { AuthHook, UnauthorizedContext } from './auth.js'
import { McpHttpError, UnauthorizedError } from './errors.js'
import { InsufficientScopeError, insufficientScopeChallenge } from './insufficient-scope.js'
import { discardBody } from './media-type.js'

/** Headers given by the caller: fixed, or computed per request. */
export type HeadersOption =
  | HeadersInit
  | ((context: { method: string; url: URL }) => HeadersInit | Promise<HeadersInit>)

/** Request settings applied to every request: GET and DELETE included. */
export type RequestInitOption = Pick<
  RequestInit,
  'credentials' | 'mode' | 'referrerPolicy' | 'cache' | 'integrity' | 'keepalive'
>

/** How redirects are treated (rule R-H5). */
export type RedirectPolicy = 'same-origin' | 'follow' | 'error'

/** Options shared by the requester of every transport. */
export interface RequesterOptions {
  fetch?: typeof fetch | undefined
  headers?: HeadersOption | undefined
  requestInit?: RequestInitOption | undefined
  auth?: AuthHook | undefined
  redirect?: RedirectPolicy | undefined
  onInsufficientScope?: 'reauthorize' | 'throw' | undefined
  maxStepUpRetries?: number | undefined
}

const MAX_REDIRECTS = 5
const RESERVED = [
  'content-type',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
]

function isSameOrigin(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true
  // http -> https on default ports of the same host is an upgrade, not a new origin.
  return (
    from.protocol === 'http:' &&
    to.protocol === 'https:' &&
    from.hostname === to.hostname &&
    from.port === '' &&
    to.port === ''
  )
}

/**
 * Sends the transport's HTTP requests: user headers under the reserved MCP ones, the bearer token,
 * single-flight re-authentication on 401, and same-origin 307/308 redirects whose final URL is
 * kept for later requests.
 */
export class HttpRequester {
  readonly #fetch: typeof fetch
  readonly #headers: HeadersOption | undefined
  readonly #requestInit: RequestInitOption | undefined
  readonly #auth: AuthHook | undefined
  readonly #redirect: RedirectPolicy
  readonly #stepUp: 'reauthorize' | 'throw'
  readonly #maxStepUps: number
  /** The URL requests go to; moves to the target of a followed permanent redirect. */
  url: URL
  #authGeneration = 0
  #authFlight: Promise<void> | undefined

  constructor(url: URL, options: RequesterOptions) {
    this.url = url
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#headers = options.headers
    this.#requestInit = options.requestInit
    this.#auth = options.auth
    this.#redirect = options.redirect ?? 'same-origin'
    this.#stepUp = options.onInsufficientScope ?? 'reauthorize'
    this.#maxStepUps = options.maxStepUpRetries ?? 1
    if (!(this.#maxStepUps >= 0)) throw new RangeError('maxStepUpRetries must be a number >= 0')
  }

  /**
   * Sends one request. `mcpHeaders` win over the caller's headers; an `Authorization` header from
   * the auth hook wins over both.
   *
   * @param target Defaults to {@link url}; a followed redirect of it updates `url`.
   */
  async request(
    method: string,
    mcpHeaders: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    target?: URL,
  ): Promise<Response> {
    let retried = false
    let stepUps = 0
    for (;;) {
      const generation = this.#authGeneration
      const response = await this.#send(method, mcpHeaders, body, signal, target)
      const url = target ?? this.url
      const challenge = insufficientScopeChallenge(response)
      if (challenge !== undefined) {
        // 403 step-up: one shared re-authorization with the required scope, then a retry.
        if (
          this.#auth?.onUnauthorized === undefined ||
          this.#stepUp === 'throw' ||
          stepUps >= this.#maxStepUps
        ) {
          discardBody(response)
          throw new InsufficientScopeError(
            `Insufficient scope (HTTP 403) on ${method} ${url}${challenge.scope === undefined ? '' : `: needs "${challenge.scope}"`}`,
            challenge.scope,
          )
        }
        stepUps++
        const flight = this.#reauthorize(generation, { response, url, scope: challenge.scope })
        discardBody(response)
        await flight
        continue
      }
      if (response.status !== 401 || this.#auth === undefined) return response
      if (retried || this.#auth.onUnauthorized === undefined) {
        discardBody(response)
        throw new UnauthorizedError(`Unauthorized (HTTP 401) on ${method} ${url}`)
      }
      retried = true
      const flight = this.#reauthorize(generation, { response, url })
      discardBody(response)
      await flight
    }
  }

  /** Runs the auth hook once for every request refused under the same credentials. */
  #reauthorize(generation: number, context: UnauthorizedContext): Promise<void> | undefined {
    if (generation === this.#authGeneration) {
      this.#authFlight ??= (async () => {
        try {
          await this.#auth?.onUnauthorized?.(context)
        } finally {
          this.#authGeneration++
          this.#authFlight = undefined
        }
      })()
    }
    return this.#authFlight
  }

  async #buildHeaders(
    method: string,
    url: URL,
    mcpHeaders: Record<string, string>,
  ): Promise<Headers> {
    const given =
      typeof this.#headers === 'function' ? await this.#headers({ method, url }) : this.#headers
    const headers = new Headers(given)
    for (const name of RESERVED) headers.delete(name)
    for (const name in mcpHeaders) headers.set(name, mcpHeaders[name] as string)
    if (this.#auth !== undefined) {
      headers.delete('authorization')
      const token = await this.#auth.token()
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
    }
    return headers
  }

  async #send(
    method: string,
    mcpHeaders: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    target: URL | undefined,
  ): Promise<Response> {
    let url = target ?? this.url
    let headers = await this.#buildHeaders(method, url, mcpHeaders)
    for (let hops = 0; ; hops++) {
      const init: RequestInit = {
        ...this.#requestInit,
        method,
        headers,
        redirect: this.#redirect === 'follow' ? 'follow' : 'manual',
      }
      if (body !== undefined) init.body = body
      if (signal !== undefined) init.signal = signal
      const response = await this.#fetch(url, init)
      if (response.type === 'opaqueredirect') {
        // A browser hides the target of a manual redirect: follow it, then check where it went.
        init.redirect = 'follow'
        const followed = await this.#fetch(url, init)
        if (this.#redirect === 'same-origin' && followed.url !== '') {
          const final = new URL(followed.url)
          if (!isSameOrigin(url, final)) {
            discardBody(followed)
            throw this.#refused(
              method,
              url,
              0,
              `Redirect to another origin refused: ${final.origin}`,
            )
          }
        }
        return followed
      }
      const status = response.status
      if (status < 300 || status > 399 || status === 304) return response
      discardBody(response)
      const location = response.headers.get('location')
      if (this.#redirect === 'error' || location === null) {
        throw this.#refused(method, url, status, `Redirect (HTTP ${status}) refused`)
      }
      if (status !== 307 && status !== 308) {
        throw this.#refused(
          method,
          url,
          status,
          `Redirect (HTTP ${status}) would change the method; refused`,
        )
      }
      if (hops >= MAX_REDIRECTS) throw this.#refused(method, url, status, 'Too many redirects')
      const next = new URL(location, url)
      if (!isSameOrigin(url, next)) {
        throw this.#refused(
          method,
          url,
          status,
          `Redirect to another origin refused: ${next.origin}`,
        )
      }
      if (url === this.url || url.href === this.url.href) this.url = next
      url = next
      headers = await this.#buildHeaders(method, url, mcpHeaders)
    }
  }

  #refused(method: string, url: URL, status: number, message: string): McpHttpError {
    return new McpHttpError(message, { status, method, url: url.href })
  }
}
