/**
 * The stateless era's (2026-07-28) request headers: `Mcp-Method`, `Mcp-Name` and the SEP-2243
 * `Mcp-Param-*` mirrors of annotated tool arguments, with the `=?base64?…?=` encoding for values a
 * header cannot carry as they are.
 */

const SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_TYPES = new Set(['string', 'integer', 'boolean'])

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number)
  return btoa(binary)
}

/**
 * Encodes a value for an MCP header: visible ASCII with inner spaces goes as it is; anything else
 * (non-ASCII, control characters, CR/LF, tabs, leading or trailing whitespace) is sent as
 * `=?base64?<UTF-8 in base64>?=`. The empty string stays empty.
 *
 * @param value The header value, before encoding.
 * @returns The field value to send.
 * @example
 * ```ts
 * encodeHeaderValue('us-west1') // 'us-west1'
 * encodeHeaderValue('Hello') // 'Hello'
 * encodeHeaderValue(' padded') // '=?base64?IHBhZGRlZA==?='
 * ```
 * @see https://modelcontextprotocol.io/specification/draft/basic/transports#custom-headers
 */
export function encodeHeaderValue(value: string): string {
  if (value === '' || SAFE_VALUE.test(value)) return value
  return `=?base64?${base64(value)}?=`
}

/**
 * The `Mcp-Method` and `Mcp-Name` headers of one message (2026-07-28): `Mcp-Name` carries
 * `params.name` of `tools/call` and `prompts/get`, and `params.uri` of `resources/read`.
 *
 * @param message A JSON-RPC request or notification.
 * @returns The headers to add (empty for a response).
 * @example
 * ```ts
 * standardHeaders({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } })
 * // { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }
 * ```
 */
export function standardHeaders(
  message: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const headers: Record<string, string> = {}
  if (typeof message.method !== 'string') return headers
  headers['mcp-method'] = message.method
  const params = message.params as Record<string, unknown> | undefined
  let name: unknown
  if (message.method === 'tools/call' || message.method === 'prompts/get') name = params?.name
  else if (message.method === 'resources/read') name = params?.uri
  if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name)
  return headers
}

/**
 * A tool as listed by `tools/list`: only what header mirroring needs, so a whole `Tool` object
 * fits.
 *
 * @example
 * ```ts
 * const tool: ToolHeaderSchema = {
 *   name: 'deploy',
 *   inputSchema: { properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } },
 * }
 * ```
 */
export interface ToolHeaderSchema {
  /** The tool's name (not read by the header functions). */
  name?: string
  /** The tool's JSON Schema for its arguments. */
  inputSchema?:
    | {
        /** The argument schemas by name; an `x-mcp-header` member marks one to mirror. */
        properties?: Record<string, unknown>
      }
    | undefined
}

/**
 * Whether a tool's `x-mcp-header` annotations are valid (SEP-2243): each one non-empty, made of
 * token characters (no space, colon, non-ASCII or control character), unique case-insensitively,
 * and on a `string`, `integer` or `boolean` property. Clients must exclude tools that fail.
 *
 * @param tool A tool from `tools/list`.
 * @returns `true` when the tool may be called.
 * @example
 * ```ts
 * validateToolHeaders({ inputSchema: { properties: { r: { type: 'string', 'x-mcp-header': 'Region' } } } }) // true
 * ```
 */
export function validateToolHeaders(tool: ToolHeaderSchema): boolean {
  const properties = tool.inputSchema?.properties
  if (properties === undefined || properties === null) return true
  const seen = new Set<string>()
  for (const schema of Object.values(properties)) {
    if (typeof schema !== 'object' || schema === null) continue
    const annotation = (schema as Record<string, unknown>)['x-mcp-header']
    if (annotation === undefined) continue
    if (typeof annotation !== 'string' || !TOKEN.test(annotation)) return false
    const type = (schema as { type?: unknown }).type
    if (typeof type !== 'string' || !HEADER_TYPES.has(type)) return false
    const key = annotation.toLowerCase()
    if (seen.has(key)) return false
    seen.add(key)
  }
  return true
}

/**
 * The `Mcp-Param-*` headers mirroring a call's annotated arguments (SEP-2243): strings encoded by
 * {@link encodeHeaderValue}, integers and booleans as their text; null and absent values omitted.
 *
 * @param tool The tool from `tools/list` (assumed valid, see {@link validateToolHeaders}).
 * @param args The call's arguments.
 * @returns Header names and values.
 * @example
 * ```ts
 * mcpParamHeaders(tool, { region: 'eu', priority: 3 }) // { 'Mcp-Param-Region': 'eu', 'Mcp-Param-Priority': '3' }
 * ```
 */
export function mcpParamHeaders(
  tool: ToolHeaderSchema,
  args: Record<string, unknown> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {}
  const properties = tool.inputSchema?.properties
  if (properties === undefined || properties === null || args === undefined) return headers
  for (const [key, schema] of Object.entries(properties)) {
    if (typeof schema !== 'object' || schema === null) continue
    const annotation = (schema as Record<string, unknown>)['x-mcp-header']
    if (typeof annotation !== 'string') continue
    const value = args[key]
    if (value === null || value === undefined) continue
    if (typeof value === 'string') headers[`Mcp-Param-${annotation}`] = encodeHeaderValue(value)
    else if (typeof value === 'number' || typeof value === 'boolean') {
      headers[`Mcp-Param-${annotation}`] = String(value)
    }
  }
  return headers
}
