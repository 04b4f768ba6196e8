/** The essence of a `Content-Type` (type/subtype, lowercase, no parameters), or `''`. */
export function mediaTypeOf(response: Response): string {
  const value = response.headers.get('content-type')
  if (value === null) return ''
  const semicolon = value.indexOf(';')
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase()
}

/** Reads at most `limit` bytes of a body as text, then cancels the rest. Never throws. */
export async function readTextUpTo(response: Response, limit: number): Promise<string> {
  const body = response.body
  if (body === null) return ''
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      bytes += value.byteLength
      if (bytes > limit) {
        text += decoder.decode(value.subarray(0, value.byteLength - (bytes - limit)))
        await reader.cancel().catch(() => {})
        return text
      }
      text += decoder.decode(value, { stream: true })
    }
    return text + decoder.decode()
  } catch {
    return text
  }
}

/** Discards a body without reading it. Never throws. */
export function discardBody(response: Response): void {
  if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(() => {})
}
