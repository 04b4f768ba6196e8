import type { HeaderReader } from './incoming.js'

/** What the checks read: a Fetch `Request` or an `Incoming`. */
interface WithHeaders {
  readonly headers: HeaderReader
}

/** Whether an `Accept` header lists a media type (or a matching wildcard). */
export function accepts(request: WithHeaders, type: string): boolean {
  const header = request.headers.get('accept')
  if (header === null) return false
  const [major] = type.split('/')
  return header
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((range) => range === type || range === '*/*' || range === `${major}/*`)
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
