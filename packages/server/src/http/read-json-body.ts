import { isJsonContent } from './http-checks.js'
import type { Incoming } from './incoming.js'
import { errorReply, type Reply } from './reply.js'

/**
 * Checks that a POST declares JSON and reads its body within the size cap; every failure is
 * already the answer to send: 415 for another content type, 413 past `maxBytes`, 400 with -32700
 * for invalid UTF-8, 400 with -32600 for a body that could not be read, 500 with -32603 for a body
 * that something in front of the handler read and did not keep (a server misconfiguration).
 *
 * @param request The incoming POST.
 * @param maxBytes The largest accepted body in bytes.
 * @returns The body text, or the error response.
 * @example
 * ```ts
 * const body = await readJsonBody(request, 4 * 1024 * 1024)
 * if (typeof body !== 'string') return body
 * ```
 */
export async function readJsonBody(request: Incoming, maxBytes: number): Promise<string | Reply> {
  if (!isJsonContent(request)) {
    return errorReply(415, -32000, 'Unsupported media type: Content-Type must be application/json')
  }
  const body = await request.readText(maxBytes)
  if (body.ok) return body.text
  if (body.reason === 'too-large') return errorReply(413, -32600, 'Request body too large')
  if (body.reason === 'invalid-utf8') return errorReply(400, -32700, 'Parse error: invalid UTF-8')
  if (body.reason === 'consumed') {
    return errorReply(500, -32603, 'Request body was read before it reached the MCP handler')
  }
  return errorReply(400, -32600, 'Request body could not be read')
}
