import type { HeaderReader } from './incoming.js'

/** What the checks read: a Fetch `Request` or an `Incoming`. */
interface WithHeaders {
  readonly headers: HeaderReader
}

/** Whether an `Accept` header lists a media type (or a matching wildcard). */
export function accepts(request: WithHeaders, type: string): boolean {
  const header = request.headers.get('accept')
  if (header === null) return false
  return acceptHeaderAllows(header, type)
}

/**
 * Whether an `Accept` header value lists `type` (lower case), the any-type wildcard or `major/*`,
 * parameters ignored. A scan without arrays or closures: it runs twice on every POST.
 */
function acceptHeaderAllows(header: string, type: string): boolean {
  const slash = type.indexOf('/')
  const majorLength = slash === -1 ? type.length : slash
  let start = 0
  for (;;) {
    let end = header.indexOf(',', start)
    if (end === -1) end = header.length
    const semicolon = header.indexOf(';', start)
    const range = header
      .slice(start, semicolon !== -1 && semicolon < end ? semicolon : end)
      .trim()
      .toLowerCase()
    if (
      range === type ||
      range === '*/*' ||
      (range.length === majorLength + 2 &&
        range.endsWith('/*') &&
        range.startsWith(type.slice(0, majorLength)))
    ) {
      return true
    }
    if (end === header.length) return false
    start = end + 1
  }
}

/** Whether the request body is declared as JSON. */
export function isJsonContent(request: WithHeaders): boolean {
  const header = request.headers.get('content-type')
  return header?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/** The request headers as a plain object, for `requestInfo`. */
export function headersObject(request: WithHeaders): Record<string, string> {
  const result: Record<string, string> = {}
  request.headers.forEach((value, key) => {
    result[key] = value
  })
  return result
}
