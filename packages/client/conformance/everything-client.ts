/**
 * The client program the official conformance suite drives in `client` mode: the scenario server
 * URL is the last argument, the scenario and protocol version come from the environment.
 *
 * 2025-era scenarios run the SDK v1 `Client`, 2026-07-28 scenarios the SDK v2 `Client` (which
 * negotiates the stateless era, builds `_meta`, `Mcp-Param-*` and runs MRTR); both over
 * `StreamableHttpClientTransport` from this package, which owns every byte on the wire.
 *
 *   node --import tsx conformance/everything-client.ts http://localhost:4100/mcp
 */
import { StreamableHttpClientTransport } from '../src/index.js'

const url = process.argv.at(-1)
if (url === undefined || !/^https?:/.test(url))
  throw new TypeError('Usage: everything-client.ts <server url>')
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? 'initialize'
const version = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2025-11-25'
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as {
  toolCalls?: Array<{ name: string; arguments?: Record<string, unknown> }>
}
const clientInfo = { name: 'mcpwire-conformance-client', version: '0.0.0' }

const transport = new StreamableHttpClientTransport(url)
transport.onerror = (error) => console.error('transport error:', error)

// Each era imports only its SDK, so the program starts quickly on a loaded machine.
async function runLegacy(): Promise<void> {
  const { Client: ClientV1 } = await import('@modelcontextprotocol/sdk/client/index.js')
  const client = new ClientV1(clientInfo, { capabilities: {} })
  await client.connect(transport)
  const { tools } = await client.listTools()
  if (scenario === 'tools_call') {
    await client.callTool({ name: 'add_numbers', arguments: { a: 5, b: 3 } })
  } else if (scenario === 'sse-retry') {
    await client.callTool({ name: 'test_reconnection', arguments: {} })
  } else {
    for (const tool of tools)
      if (tool.name === 'add_numbers')
        await client.callTool({ name: tool.name, arguments: { a: 1, b: 2 } })
  }
  await client.close()
}

async function runModern(): Promise<void> {
  const { Client: ClientV2 } = await import('@modelcontextprotocol/client')
  const client = new ClientV2(clientInfo, {
    capabilities: { elicitation: {} },
    versionNegotiation: { mode: 'auto' },
    inputRequired: { autoFulfill: true },
  } as never)
  client.setRequestHandler(
    'elicitation/create' as never,
    (async () => ({
      action: 'accept',
      content: { confirmed: true },
    })) as never,
  )
  await client.connect(transport)
  const { tools } = await client.listTools()
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  switch (scenario) {
    case 'tools_call':
      await client.callTool({ name: 'add_numbers', arguments: { a: 5, b: 3 } })
      break
    case 'http-custom-headers':
      for (const call of context.toolCalls ?? [])
        await client.callTool({ name: call.name, arguments: call.arguments ?? {} })
      break
    case 'http-invalid-tool-headers':
      // The SDK v2 Client already drops tools with invalid x-mcp-header declarations.
      if (byName.has('valid_tool'))
        await client.callTool({ name: 'valid_tool', arguments: { region: 'us-west1' } })
      break
    case 'sep-2322-client-request-state':
      for (const name of ['test_mrtr_echo_state', 'test_mrtr_unrelated', 'test_mrtr_no_state']) {
        if (byName.has(name)) await client.callTool({ name, arguments: {} })
      }
      // SDK v2 2.4.0 rejects a 2026 result without resultType after the fact (the scenario checks
      // only that no retry is made, which holds); that rejection is the SDK's, not the wire's.
      await client
        .callTool({ name: 'test_mrtr_no_result_type', arguments: {} })
        .catch((error: Error) => {
          if (!/resultType/.test(error.message)) throw error
        })
      break
    case 'http-standard-headers': {
      for (const tool of tools)
        await client
          .callTool({ name: tool.name, arguments: sampleArguments(tool.inputSchema) })
          .catch(() => {})
      const resources = await client.listResources().catch(() => ({ resources: [] }))
      for (const resource of resources.resources)
        await client.readResource({ uri: resource.uri }).catch(() => {})
      const prompts = await client.listPrompts().catch(() => ({ prompts: [] }))
      for (const prompt of prompts.prompts)
        await client.getPrompt({ name: prompt.name, arguments: {} }).catch(() => {})
      break
    }
    default:
      break
  }
  await client.close()
}

/** Plausible arguments for a tool's input schema: strings, numbers and booleans by type. */
function sampleArguments(
  schema: { properties?: Record<string, unknown> | undefined } | undefined,
): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    const type = (property as { type?: string }).type
    args[key] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : 'value'
  }
  return args
}

try {
  if (version >= '2026-07-28') await runModern()
  else await runLegacy()
  process.exit(0)
} catch (error) {
  console.error(error)
  process.exit(1)
}
