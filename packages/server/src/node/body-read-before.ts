import type { IncomingMessage } from 'node:http'

/**
 * What is left of a request body that a middleware read before the handler ran (Express's
 * `express.json()`, `express.text()`, `express.raw()`): the text or bytes it kept, or nothing.
 */
export type BodyReadBefore =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** Read, and nothing kept: the server is set up wrongly. */
  | { readonly kind: 'lost' }
  /** Kept as a value JSON cannot express (a cycle, a `BigInt`, nesting past the stack). */
  | { readonly kind: 'unserialisable' }

/** True when the request declares no body at all (no `Content-Length` above 0, not chunked). */
function declaresNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  if (req.headers['transfer-encoding'] !== undefined) return false
  return length === undefined || Number(length) === 0
}

/**
 * The body of a `node:http` request whose stream something else already read, or `undefined` when
 * the stream is untouched (then the handler reads it as usual).
 *
 * A body parser in front of the handler (the pattern of Express apps: `app.use(express.json())`)
 * drains the stream and keeps the result on `req.body`: a string or a `Uint8Array` is taken as
 * is; a parsed JSON value is serialised again, so the handler's size limit and validation apply
 * exactly as to a body it read itself. A value that cannot be serialised (a cycle, a `BigInt`,
 * nesting deeper than the stack allows) is `unserialisable`, a drained stream with nothing kept is
 * `lost`: either way the handler answers at once instead of waiting for data that will never come.
 *
 * @param req The incoming Node request.
 * @returns What the earlier reader left, or `undefined` if the body was not read yet.
 */
export function bodyReadBefore(req: IncomingMessage): BodyReadBefore | undefined {
  if (!req.readableEnded && !req.readableDidRead) return undefined
  const kept = (req as { body?: unknown }).body
  if (typeof kept === 'string') return { kind: 'text', text: kept }
  if (kept instanceof Uint8Array) return { kind: 'bytes', bytes: kept }
  if (kept === undefined || typeof kept === 'function' || typeof kept === 'symbol') {
    return declaresNoBody(req) ? { kind: 'text', text: '' } : { kind: 'lost' }
  }
  try {
    const text = JSON.stringify(kept)
    return text === undefined ? { kind: 'unserialisable' } : { kind: 'text', text }
  } catch {
    return { kind: 'unserialisable' }
  }
}
