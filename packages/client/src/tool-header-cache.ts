// The tools a `tools/list` named, kept by McpClient so a `tools/call` carries the SEP-2243
// `Mcp-Param-*` headers its tool's schema asks for (MCP 2026-07-28), and so tools whose
// `x-mcp-header` annotations are invalid are left out of what the caller sees.
import { mcpParamHeaders, type ToolHeaderSchema, validateToolHeaders } from './modern-headers.js'

/** Tools by name, from the `tools/list` results seen. */
export class ToolHeaderCache {
  readonly #tools = new Map<string, ToolHeaderSchema>()
  /** Whether a first page of `tools/list` was seen. */
  listed = false

  /**
   * Takes one `tools/list` result (a first page, without `cursor`, replaces what was known) and
   * returns it without the tools that must not be called (invalid `x-mcp-header` annotations).
   */
  remember(result: unknown, cursor: unknown): unknown {
    const tools = (result as { tools?: unknown } | null)?.tools
    if (!Array.isArray(tools)) return result
    if (cursor === undefined) {
      this.#tools.clear()
      this.listed = true
    }
    const valid = tools.filter((tool: ToolHeaderSchema) => {
      if (typeof tool?.name !== 'string' || !validateToolHeaders(tool)) return false
      this.#tools.set(tool.name, tool)
      return true
    })
    return valid.length === tools.length ? result : { ...(result as object), tools: valid }
  }

  /** The `Mcp-Param-*` headers of a `tools/call` with these params; `{}` for an unknown tool. */
  headersFor(params: Record<string, unknown>): Record<string, string> {
    const tool = typeof params.name === 'string' ? this.#tools.get(params.name) : undefined
    if (tool === undefined) return {}
    return mcpParamHeaders(tool, params.arguments as Record<string, unknown> | undefined)
  }

  /** Whether `tools/list` named the tool called with these params. */
  knows(params: Record<string, unknown>): boolean {
    return typeof params.name === 'string' && this.#tools.has(params.name)
  }
}
