import { completable } from '@modelcontextprotocol/sdk/server/completable.js'
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  type ServerNotification,
  type ServerRequest,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

/** A 1x1 red PNG. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** A valid WAV file with no samples: 44-byte header, 8 kHz, mono, 16-bit. */
function silentWavBase64(): string {
  const bytes = new Uint8Array(44)
  const view = new DataView(bytes.buffer)
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i)
  }
  ascii(0, 'RIFF')
  view.setUint32(4, 36, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // mono
  view.setUint32(24, 8000, true)
  view.setUint32(28, 16000, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  ascii(36, 'data')
  view.setUint32(40, 0, true)
  return btoa(String.fromCharCode(...bytes))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] })

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>
type RequestedSchema = Extract<
  ServerRequest,
  { method: 'elicitation/create' }
>['params'] extends infer P
  ? P extends { requestedSchema: infer S }
    ? S
    : never
  : never

/** Asks the client for input and describes the answer as `action=…, content={…}`. */
async function elicit(
  extra: ToolExtra,
  message: string,
  requestedSchema: RequestedSchema,
): Promise<string> {
  const result = await extra.sendRequest(
    { method: 'elicitation/create', params: { message, requestedSchema } },
    ElicitResultSchema,
  )
  return `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`
}

/** The JSON Schema 2020-12 input schema the conformance suite expects to see unchanged. */
const JSON_SCHEMA_2020_12_INPUT = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
  },
  additionalProperties: false,
}

/**
 * The MCP server every sample app serves: an `echo` tool, a `countdown` tool that streams
 * progress, and every tool, resource, prompt and capability the official conformance suite's
 * server scenarios call.
 *
 * A new instance is made for every session (`connect` is called once per session).
 */
export function createExampleServer(): McpServer {
  const server = new McpServer(
    { name: 'mcpwire-sample', version: '0.0.0' },
    {
      capabilities: { logging: {}, completions: {}, resources: { subscribe: true } },
      instructions: 'A sample server: try the echo and countdown tools.',
    },
  )

  server.registerTool(
    'echo',
    {
      description: 'Returns its text argument unchanged',
      inputSchema: { text: z.string().describe('Text to echo') },
    },
    ({ text: value }) => text(value),
  )

  server.registerTool(
    'countdown',
    {
      description:
        'Counts down, sending a progress notification on every tick; liftoff comes one interval after the last tick',
      inputSchema: {
        ticks: z.number().int().min(1).max(100).default(5).describe('How many ticks'),
        intervalMs: z.number().int().min(0).max(10_000).default(100).describe('Time between ticks'),
      },
    },
    async ({ ticks, intervalMs }, extra) => {
      const progressToken = extra._meta?.progressToken
      for (let tick = 1; tick <= ticks; tick++) {
        await sleep(intervalMs)
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: {
              progressToken,
              progress: tick,
              total: ticks,
              message: `${ticks - tick} to go`,
            },
          })
        }
      }
      return text(`Liftoff after ${ticks} ticks`)
    },
  )

  // Conformance fixtures (tools).
  server.registerTool('test_simple_text', { description: 'Returns simple text' }, () =>
    text('This is a simple text response for testing.'),
  )
  server.registerTool('test_image_content', { description: 'Returns an image' }, () => ({
    content: [{ type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' }],
  }))
  server.registerTool('test_audio_content', { description: 'Returns audio' }, () => ({
    content: [{ type: 'audio' as const, data: silentWavBase64(), mimeType: 'audio/wav' }],
  }))
  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded resource' },
    () => ({
      content: [
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  )
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, image and resource content' },
    () => ({
      content: [
        { type: 'text' as const, text: 'Multiple content types test:' },
        { type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' },
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  )
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three log messages while it runs' },
    async (extra) => {
      for (const [index, data] of [
        'Tool execution started',
        'Tool processing data',
        'Tool execution completed',
      ].entries()) {
        if (index > 0) await sleep(50)
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data },
        })
      }
      return text('Tool with logging executed successfully')
    },
  )
  server.registerTool('test_error_handling', { description: 'Always fails' }, () => ({
    isError: true,
    content: [
      { type: 'text' as const, text: 'This tool intentionally returns an error for testing' },
    ],
  }))
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50, 100 of 100' },
    async (extra) => {
      const progressToken = extra._meta?.progressToken
      for (const [index, progress] of [0, 50, 100].entries()) {
        if (index > 0) await sleep(50)
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100 },
          })
        }
      }
      return text('Tool with progress executed successfully')
    },
  )
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client to sample an LLM',
      inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') },
    },
    async ({ prompt }, extra) => {
      const result = await extra.sendRequest(
        {
          method: 'sampling/createMessage',
          params: {
            messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
            maxTokens: 100,
          },
        },
        CreateMessageResultSchema,
      )
      const content = result.content as { type: string; text?: string }
      return text(
        `LLM response: ${content.type === 'text' ? content.text : JSON.stringify(content)}`,
      )
    },
  )
  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user for input',
      inputSchema: { message: z.string().describe('The message to show the user') },
    },
    async ({ message }, extra) => {
      return text(
        `User response: ${await elicit(extra, message, {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        })}`,
      )
    },
  )
  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Elicitation with defaults for every primitive type' },
    async (extra) => {
      return text(
        `Elicitation completed: ${await elicit(
          extra,
          'Please review and update the form fields with defaults',
          {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: {
                type: 'string',
                description: 'User status',
                enum: ['active', 'inactive', 'pending'],
                default: 'active',
              },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        )}`,
      )
    },
  )
  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicitation with every enum variant' },
    async (extra) => {
      return text(
        `Elicitation completed: ${await elicit(
          extra,
          'Please select options from the enum fields',
          {
            type: 'object',
            properties: {
              untitledSingle: {
                type: 'string',
                description: 'Untitled single-select',
                enum: ['option1', 'option2', 'option3'],
              },
              titledSingle: {
                type: 'string',
                description: 'Titled single-select',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: {
                type: 'string',
                description: 'Legacy titled enum',
                enum: ['opt1', 'opt2', 'opt3'],
                enumNames: ['Option One', 'Option Two', 'Option Three'],
              },
              untitledMulti: {
                type: 'array',
                description: 'Untitled multi-select',
                items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              },
              titledMulti: {
                type: 'array',
                description: 'Titled multi-select',
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        )}`,
      )
    },
  )
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: {
        name: z.string().optional(),
        address: z
          .object({ street: z.string().optional(), city: z.string().optional() })
          .optional(),
      },
    },
    (args) => text(`Received: ${JSON.stringify(args)}`),
  )
  server.registerTool(
    'test_reconnection',
    { description: 'Closes its SSE stream mid-call so the client reconnects and polls' },
    async (extra) => {
      await sleep(50)
      ;(extra as { closeSSEStream?: () => void }).closeSSEStream?.()
      await sleep(200)
      return text('Reconnection test completed')
    },
  )

  // Conformance fixtures (resources).
  server.registerResource(
    'static-text',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'text/plain',
          text: 'This is the content of the static text resource.',
        },
      ],
    }),
  )
  server.registerResource(
    'static-binary',
    'test://static-binary',
    { description: 'A static binary resource', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }] }),
  )
  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
    }),
  )
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'A resource template', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  )
  const subscriptions = new Set<string>()
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(request.params.uri)
    return {}
  })
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri)
    return {}
  })

  // Conformance fixtures (prompts).
  server.registerPrompt(
    'test_simple_prompt',
    { description: 'A prompt without arguments' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['paris', 'park', 'party'].filter((v) => v.startsWith(value)),
        ),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt that embeds a resource',
      argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        {
          role: 'user',
          content: { type: 'text', text: 'Please process the embedded resource above.' },
        },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_image',
    { description: 'A prompt with an image' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  )

  preserveJsonSchema2020(server)
  return server
}

/**
 * The SDK derives `inputSchema` from zod; the conformance suite checks that a 2020-12 schema
 * (`$schema`, `$defs`, `additionalProperties`) reaches the client unchanged, so tools/list
 * answers that tool's schema as written.
 */
function preserveJsonSchema2020(server: McpServer): void {
  const handlers = (
    server.server as unknown as { _requestHandlers: Map<string, (...args: unknown[]) => unknown> }
  )._requestHandlers
  const list = handlers.get('tools/list')
  if (list === undefined) throw new Error('tools/list handler not registered')
  handlers.set('tools/list', async (...args: unknown[]) => {
    const result = (await list(...args)) as { tools: { name: string; inputSchema: unknown }[] }
    for (const tool of result.tools) {
      if (tool.name === 'json_schema_2020_12_tool') tool.inputSchema = JSON_SCHEMA_2020_12_INPUT
    }
    return result
  })
}
