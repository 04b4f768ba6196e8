import type { IncomingMessage } from 'node:http'
import { decodeBody, type ReadBodyResult } from '../http/read-body.js'
import { type BodyReadBefore, bodyReadBefore } from './body-read-before.js'

function keptBody(kept: BodyReadBefore, maxBytes: number): ReadBodyResult {
  if (kept.kind === 'lost') return { ok: false, reason: 'consumed' }
  if (kept.kind === 'unserialisable') return { ok: false, reason: 'aborted' }
  if (kept.kind === 'bytes') {
    if (kept.bytes.byteLength > maxBytes) return { ok: false, reason: 'too-large' }
    return decodeBody([kept.bytes], kept.bytes.byteLength)
  }
  if (Buffer.byteLength(kept.text) > maxBytes) return { ok: false, reason: 'too-large' }
  return { ok: true, text: kept.text }
}

/**
 * Reads a `node:http` request body as UTF-8 text, with the same outcomes as `readBody` on a Fetch
 * `Request`, stopping as soon as it passes `maxBytes`: a `Content-Length` over the cap is refused
 * unread, and a body that grows past it is no longer read (never more than `maxBytes` plus one
 * chunk is held).
 *
 * A body that a middleware read first (`express.json()` in front) is taken from `req.body` (see
 * {@link bodyReadBefore}), under the same limit; when nothing was kept the result is `consumed`
 * at once.
 *
 * @param req The request.
 * @param maxBytes The largest accepted body in bytes.
 * @param onRefused Called when the body is left unread (too large), so the caller can close the
 *   connection instead of letting Node drain the rest.
 * @returns The text, or why it could not be read.
 */
export function readNodeBody(
  req: IncomingMessage,
  maxBytes: number,
  onRefused: () => void,
): Promise<ReadBodyResult> {
  const kept = bodyReadBefore(req)
  if (kept !== undefined) return Promise.resolve(keptBody(kept, maxBytes))
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) {
    onRefused()
    return Promise.resolve({ ok: false, reason: 'too-large' })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = (result: ReadBodyResult): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onFailure)
      req.off('close', onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength
      if (size > maxBytes) {
        req.pause()
        onRefused()
        settle({ ok: false, reason: 'too-large' })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => settle(decodeBody(chunks, size))
    const onFailure = (): void => settle({ ok: false, reason: 'aborted' })
    const onClose = (): void => {
      if (!req.complete) onFailure()
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onFailure)
    req.on('close', onClose)
  })
}
