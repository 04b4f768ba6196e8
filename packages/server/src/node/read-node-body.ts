import type { IncomingMessage } from 'node:http'
import { decodeBody, type ReadBodyResult } from '../http/read-body.js'

/**
 * Reads a `node:http` request body as UTF-8 text, with the same outcomes as `readBody` on a Fetch
 * `Request`, stopping as soon as it passes `maxBytes`: a `Content-Length` over the cap is refused
 * unread, and a body that grows past it is no longer read (never more than `maxBytes` plus one
 * chunk is held).
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
