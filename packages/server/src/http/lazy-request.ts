import type { Incoming } from './incoming.js'

/**
 * A body-less Fetch `Request` for `MessageExtraInfo.request` (SDK v2 reads it as
 * `ctx.http.req`), built only when something reads it: the value handed over is a stand-in that
 * passes `instanceof Request` and builds the real `Request` (same method, URL and headers, no
 * body, a signal that aborts when the client goes away) on its first property access. SDK v2
 * copies the property into every handler context, so a plain getter would build a `Request` per
 * message; the stand-in keeps that cost to the handlers that look at it, and SDK v1 never does.
 *
 * @param incoming The request the message came in.
 * @returns The stand-in.
 */
export function lazyBodylessRequest(incoming: Incoming): Request {
  return lazyRequest(() => {
    const controller = new AbortController()
    incoming.watchDisconnect(() => controller.abort())
    return incoming.toBodylessRequest(controller.signal)
  })
}

/**
 * A stand-in `Request` (see {@link lazyBodylessRequest}) that calls `build` on its first
 * property access and answers from what it built.
 *
 * @param build Makes the real `Request`; called at most once.
 * @returns The stand-in.
 */
export function lazyRequest(build: () => Request): Request {
  let real: Request | undefined
  const materialize = (): Request => {
    real ??= build()
    return real
  }
  return new Proxy(Object.create(Request.prototype) as Request, {
    get(_target, property) {
      const request = materialize()
      const value: unknown = Reflect.get(request, property, request)
      return typeof value === 'function' ? value.bind(request) : value
    },
    has(_target, property) {
      return Reflect.has(materialize(), property)
    },
  })
}
