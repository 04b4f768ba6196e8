/** The outcome of {@link readBody}: the text, or why it could not be read. */
export type ReadBodyResult =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false
      /** `consumed`: something read the body before the handler and kept nothing of it. */
      readonly reason: 'too-large' | 'invalid-utf8' | 'aborted' | 'consumed'
    }

/**
 * Reads a request body as UTF-8 text, stopping as soon as it passes `maxBytes`.
 *
 * Never buffers more than `maxBytes` plus one chunk: a body over the cap is cancelled.
 *
 * @param request The incoming request.
 * @param maxBytes The largest accepted body in bytes.
 * @returns The decoded text, or a reason (`too-large` answers 413).
 * @example
 * ```ts
 * const body = await readBody(request, 4 * 1024 * 1024)
 * if (!body.ok) return errorResponse(413, -32600, 'Request body too large')
 * ```
 */
export async function readBody(request: Request, maxBytes: number): Promise<ReadBodyResult> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {})
    return { ok: false, reason: 'too-large' }
  }
  if (request.bodyUsed) return { ok: false, reason: 'consumed' }
  if (request.body === null) return { ok: true, text: '' }
  let reader: ReadableStreamDefaultReader<Uint8Array>
  try {
    reader = request.body.getReader()
  } catch {
    return { ok: false, reason: 'consumed' } // locked: someone else is reading it
  }
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        return { ok: false, reason: 'too-large' }
      }
      chunks.push(value)
    }
  } catch {
    return { ok: false, reason: 'aborted' }
  }
  return decodeBody(chunks, size)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A whole body's chunks as UTF-8 text, or `invalid-utf8` (a leading BOM is dropped, as
 * `request.text()` does). Shared by every body reader, so all of them decode alike.
 *
 * @param chunks The body in order.
 * @param size Their total length in bytes.
 */
export function decodeBody(chunks: readonly Uint8Array[], size: number): ReadBodyResult {
  let bytes = chunks[0] ?? new Uint8Array(0)
  if (chunks.length > 1) {
    bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
  }
  try {
    return { ok: true, text: utf8.decode(bytes) }
  } catch {
    return { ok: false, reason: 'invalid-utf8' }
  }
}
