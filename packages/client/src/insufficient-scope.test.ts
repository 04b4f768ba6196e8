import { describe, expect, test } from 'vitest'
import { fakeFetch, json, settle } from '../test/_fake.js'
import type { UnauthorizedContext } from './auth.js'
import { UnauthorizedError } from './errors.js'
import { InsufficientScopeError, insufficientScopeChallenge } from './insufficient-scope.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { TransportOptions } from './types.js'

const URL_ = 'http://127.0.0.1:9/mcp'
const call = (id: number) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name: 'write', arguments: {} },
})
const forbidden = (challenge: string) =>
  new Response('{"error":"insufficient_scope"}', {
    status: 403,
    headers: { 'www-authenticate': challenge },
  })
const STEP_UP =
  'Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://a.example/.well-known/oauth-protected-resource"'

describe('insufficientScopeChallenge()', () => {
  test('reads the error and scope of a Bearer challenge, quoted or not, among other schemes', () => {
    expect(insufficientScopeChallenge(forbidden(STEP_UP))).toEqual({
      scope: 'files:read files:write',
    })
    expect(
      insufficientScopeChallenge(forbidden('Basic realm="x", Bearer error=insufficient_scope')),
    ).toEqual({ scope: undefined })
    expect(insufficientScopeChallenge(forbidden('Bearer error="invalid_token"'))).toBeUndefined()
    expect(insufficientScopeChallenge(new Response(null, { status: 403 }))).toBeUndefined()
    expect(
      insufficientScopeChallenge(
        new Response(null, { status: 401, headers: { 'www-authenticate': STEP_UP } }),
      ),
    ).toBeUndefined()
  })
})

describe('403 step-up (onInsufficientScope, maxStepUpRetries)', () => {
  function server(options: Partial<TransportOptions> & { grants?: boolean } = {}) {
    let token = 'read'
    const contexts: UnauthorizedContext[] = []
    const { fetch, seen } = fakeFetch(async (request) => {
      await settle()
      if (request.headers.get('authorization') !== 'Bearer write') return forbidden(STEP_UP)
      return json({ jsonrpc: '2.0', id: request.body.id, result: {} })
    })
    const transport = new StreamableHttpClientTransport(URL_, {
      fetch,
      auth: {
        token: () => token,
        onUnauthorized: async (context) => {
          contexts.push(context)
          await settle()
          if (options.grants !== false) token = 'write'
        },
      },
      ...options,
    })
    transport.onmessage = () => {}
    return { transport, seen, contexts }
  }

  test('concurrent 403 insufficient_scope share one re-authorization with the required scope, then each retries once', async () => {
    const { transport, seen, contexts } = server()
    await Promise.all([1, 2, 3, 4, 5].map((id) => transport.send(call(id))))
    expect(contexts).toHaveLength(1)
    expect(contexts[0]?.scope).toBe('files:read files:write')
    expect(contexts[0]?.response.status).toBe(403)
    expect(seen).toHaveLength(10)
    await transport.close()
  })

  test('a step-up that does not help ends in InsufficientScopeError after maxStepUpRetries', async () => {
    const { transport, seen, contexts } = server({ grants: false, maxStepUpRetries: 2 })
    const error = await transport.send(call(1)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InsufficientScopeError)
    expect(error).toBeInstanceOf(UnauthorizedError)
    expect(error).toMatchObject({ status: 403, scope: 'files:read files:write' })
    expect(contexts).toHaveLength(2)
    expect(seen).toHaveLength(3)
    expect(transport.stats().pendingRequests).toBe(0)
    await transport.close()
  })

  test("onInsufficientScope: 'throw' raises at once without calling the hook", async () => {
    const { transport, seen, contexts } = server({ onInsufficientScope: 'throw' })
    await expect(transport.send(call(1))).rejects.toBeInstanceOf(InsufficientScopeError)
    expect(contexts).toHaveLength(0)
    expect(seen).toHaveLength(1)
    await transport.close()
  })

  test('a 403 without an insufficient_scope challenge is a plain McpHttpError, no hook', async () => {
    const contexts: unknown[] = []
    const { fetch } = fakeFetch(() => new Response('no', { status: 403 }))
    const transport = new StreamableHttpClientTransport(URL_, {
      fetch,
      auth: { token: () => 't', onUnauthorized: (context) => void contexts.push(context) },
    })
    await expect(transport.send(call(1))).rejects.toMatchObject({
      name: 'McpHttpError',
      status: 403,
    })
    expect(contexts).toEqual([])
  })
})
