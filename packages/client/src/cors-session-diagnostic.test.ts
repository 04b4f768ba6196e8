import { describe, expect, test } from 'vitest'
import { fakeFetch, INIT, initResult, json } from '../test/_fake.js'
import { HIDDEN_SESSION_ID_MESSAGE } from './cors-session-diagnostic.js'
import { McpHttpError } from './errors.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'

const URL_ = 'http://127.0.0.1:9/mcp'
const list = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'tools/list' })

/** What a browser hands back for a cross-origin response: `type` is `cors`. */
function asCors(response: Response): Response {
  Object.defineProperty(response, 'type', { value: 'cors' })
  return response
}

function browserLike(type: 'cors' | 'basic') {
  const { fetch } = fakeFetch((request) => {
    if (request.body?.method === 'initialize') {
      // The server sent Mcp-Session-Id, but without Access-Control-Expose-Headers the page sees none.
      const response = json(initResult(request.body.id))
      return type === 'cors' ? asCors(response) : response
    }
    return json(
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' },
      },
      400,
    )
  })
  const transport = new StreamableHttpClientTransport(URL_, { fetch })
  transport.onmessage = () => {}
  return transport
}

describe('a session id hidden by CORS (R-B1)', () => {
  test('the first 400 after a CORS initialize without a readable Mcp-Session-Id names Access-Control-Expose-Headers, once', async () => {
    const transport = browserLike('cors')
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    const first = await transport
      .send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      .catch((error: unknown) => error)
    expect(first).toBeInstanceOf(McpHttpError)
    expect((first as Error).message).toBe(HIDDEN_SESSION_ID_MESSAGE)
    expect((first as Error).message).toContain('Access-Control-Expose-Headers: Mcp-Session-Id')
    const second = await transport.send(list(2)).catch((error: unknown) => error)
    expect(second).toBeInstanceOf(McpHttpError)
    expect((second as Error).message).not.toContain('Access-Control-Expose-Headers')
    await transport.close()
  })

  test('outside a CORS context the 400 is a plain error', async () => {
    const transport = browserLike('basic')
    await transport.send(INIT)
    const error = await transport.send(list(2)).catch((caught: unknown) => caught)
    expect((error as Error).message).not.toContain('Access-Control-Expose-Headers')
    await transport.close()
  })
})
