import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type OAuthClientProvider,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { afterEach, describe, expect, it } from 'vitest'
import { type BearerAuthOptions, bearerAuth, createMcpHandler } from '../src/index.js'
import { buildServer, type Running, serveHandler } from './_fixture.js'
import { ACCEPT_BOTH, initializeBody } from './_requests.js'

const AS = 'https://auth.example.com'

/** Tokens by value, as an authorization server would have issued them. */
const TOKENS: Record<string, { clientId: string; scopes: string[]; expiresAt?: number }> = {
  reader: { clientId: 'alice', scopes: ['mcp:read'] },
  writer: { clientId: 'alice', scopes: ['mcp:read', 'mcp:write'] },
  stale: { clientId: 'alice', scopes: ['mcp:read'], expiresAt: 1 },
}

const options = (extra: Partial<BearerAuthOptions> = {}): BearerAuthOptions => ({
  authorizationServers: [AS],
  requiredScopes: ['mcp:read'],
  scopesFor: (call) =>
    call.method === 'tools/call' && (call.params as { name?: string }).name === 'count'
      ? ['mcp:write']
      : [],
  verify: (token) => TOKENS[token],
  ...extra,
})

function handler(extra: Partial<BearerAuthOptions> = {}) {
  return createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: () => {},
    auth: bearerAuth(options(extra)),
  })
}

const post = (body: string, headers: Record<string, string> = {}): Request =>
  new Request('http://127.0.0.1:3000/mcp', {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
    body,
  })

const callCount = JSON.stringify({
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name: 'count', arguments: { n: 1 } },
})

describe('bearerAuth over HTTP', () => {
  const metadataUrl = 'http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp'

  it('no token: 401 with resource_metadata and the required scope, no error code', async () => {
    const response = await handler().fetch(post(initializeBody()))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer scope="mcp:read", resource_metadata="${metadataUrl}"`,
    )
    expect((await response.json()).error.code).toBe(-32000)
  })

  it('a token in the query string is not read', async () => {
    const mcp = handler()
    const request = new Request(
      'http://127.0.0.1:3000/mcp?access_token=reader',
      post(initializeBody()),
    )
    expect((await mcp.fetch(request)).status).toBe(401)
  })

  it.each([
    ['unknown', 'The token is not valid'],
    ['stale', 'The token expired'],
  ])('token %s: 401 with error="invalid_token"', async (token, description) => {
    const response = await handler().fetch(
      post(initializeBody(), { authorization: `Bearer ${token}` }),
    )
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate') ?? ''
    expect(challenge).toContain('error="invalid_token"')
    expect(challenge).toContain(`error_description="${description}"`)
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`)
  })

  it('a valid token opens a session and reaches onmessage as authInfo', async () => {
    let seen: unknown
    const mcp = createMcpHandler({
      onerror: () => {},
      auth: bearerAuth(options()),
      connect(transport) {
        transport.onmessage = (_message, extra) => {
          seen = extra?.authInfo
        }
      },
    })
    const response = await mcp.fetch(post(initializeBody(), { authorization: 'Bearer reader' }))
    await response.body?.cancel()
    expect(seen).toMatchObject({ token: 'reader', clientId: 'alice', scopes: ['mcp:read'] })
    await mcp.close()
  })

  it('a message needing more scope: 403 insufficient_scope naming granted plus needed scopes', async () => {
    const mcp = handler()
    const response = await mcp.fetch(post(callCount, { authorization: 'Bearer reader' }))
    expect(response.status).toBe(403)
    const challenge = response.headers.get('www-authenticate') ?? ''
    expect(challenge).toContain('error="insufficient_scope"')
    expect(challenge).toContain('scope="mcp:read mcp:write"')
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`)
    // With the scope, the same message passes authorization (and meets the session check).
    const passed = await mcp.fetch(post(callCount, { authorization: 'Bearer writer' }))
    expect(passed.status).toBe(400)
  })

  it.each(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])(
    'GET %s serves the metadata document without a token',
    async (path) => {
      const response = await handler({ scopesSupported: ['mcp:read', 'mcp:write'] }).fetch(
        new Request(`http://127.0.0.1:3000${path}`),
      )
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        resource: 'http://127.0.0.1:3000/mcp',
        authorization_servers: [AS],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp:read', 'mcp:write'],
      })
    },
  )

  it('an explicit resource under a prefix moves the metadata path with it', async () => {
    const mcp = createMcpHandler({
      connect: () => {},
      path: '/api/mcp',
      auth: bearerAuth(options({ resource: 'https://mcp.example.com/api/mcp' })),
      allowedHosts: ['mcp.example.com'],
    })
    const metadata = await mcp.fetch(
      new Request('https://mcp.example.com/.well-known/oauth-protected-resource/api/mcp'),
    )
    expect((await metadata.json()).resource).toBe('https://mcp.example.com/api/mcp')
    const refused = await mcp.fetch(
      new Request('https://mcp.example.com/api/mcp', { method: 'POST', body: '{}' }),
    )
    expect(refused.headers.get('www-authenticate')).toContain(
      'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/api/mcp"',
    )
    const other = await mcp.fetch(new Request('https://mcp.example.com/.well-known/other'))
    expect(other.status).toBe(404)
  })

  it('with cors, the 401 challenge is readable by the page', async () => {
    const mcp = createMcpHandler({ connect: () => {}, cors: true, auth: bearerAuth(options()) })
    const response = await mcp.fetch(post(initializeBody(), { origin: 'http://localhost:5173' }))
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(response.headers.get('access-control-expose-headers')).toContain('www-authenticate')
  })

  it('refuses auth together with authenticate, and an empty authorizationServers', () => {
    expect(() =>
      createMcpHandler({
        connect: () => {},
        auth: bearerAuth(options()),
        authenticate: () => ({}),
      }),
    ).toThrow(TypeError)
    expect(() => bearerAuth(options({ authorizationServers: [] }))).toThrow(TypeError)
    expect(() => bearerAuth(options({ resource: 'https://x.example/mcp#frag' }))).toThrow(TypeError)
  })
})

/**
 * A minimal OAuth authorization server: metadata, an authorization endpoint that approves at
 * once (returning the code instead of redirecting a browser) and a token endpoint.
 */
interface AuthorizationServer {
  readonly url: string
  /** Scope and resource of every authorization request, in order. */
  readonly requests: { scope: string | null; resource: string | null }[]
  /** Granted scopes by access token. */
  readonly tokens: Map<string, string[]>
  /** "The user approves" the authorization URL the client sent its user to: the code. */
  approve(authorizationUrl: URL): Promise<string>
  close(): Promise<void>
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = ''
  for await (const chunk of req) text += chunk
  return new URLSearchParams(text)
}

async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const requests: { scope: string | null; resource: string | null }[] = []
  const tokens = new Map<string, string[]>()
  const codes = new Map<string, string[]>()
  let url = ''
  const server: Server = createServer(async (req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? '/', url)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (pathname === '/.well-known/oauth-authorization-server') {
      json(200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        token_endpoint_auth_methods_supported: ['none'],
        code_challenge_methods_supported: ['S256'],
      })
    } else if (pathname === '/authorize') {
      const scope = searchParams.get('scope')
      requests.push({ scope, resource: searchParams.get('resource') })
      const code = `code-${requests.length}`
      codes.set(code, (scope ?? '').split(' ').filter(Boolean))
      json(200, { code })
    } else if (pathname === '/token' && req.method === 'POST') {
      const form = await readForm(req)
      const scopes = codes.get(form.get('code') ?? '')
      if (form.get('grant_type') !== 'authorization_code' || scopes === undefined) {
        json(400, { error: 'invalid_grant' })
        return
      }
      const token = `token-${tokens.size + 1}`
      tokens.set(token, scopes)
      json(200, { access_token: token, token_type: 'Bearer', scope: scopes.join(' ') })
    } else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    tokens,
    async approve(authorizationUrl) {
      const response = await fetch(authorizationUrl)
      return ((await response.json()) as { code: string }).code
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A public OAuth client of the SDK that hands the authorization URL to the test. */
class TestProvider implements OAuthClientProvider {
  #tokens: OAuthTokens | undefined
  #verifier = ''
  authorizationUrl: URL | undefined
  readonly redirectUrl = 'http://127.0.0.1/callback'
  readonly clientMetadata = {
    client_name: 'auth-test',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
  }
  clientInformation() {
    return { client_id: 'auth-test' }
  }
  tokens() {
    return this.#tokens
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier
  }
  codeVerifier() {
    return this.#verifier
  }
}

describe('bearerAuth with the official SDK client', () => {
  let as: AuthorizationServer | undefined
  let running: Running | undefined
  afterEach(async () => {
    await running?.close()
    await as?.close()
    running = undefined
    as = undefined
  })

  it('discovers the server, authorizes, then steps up its scope for a tool that needs more', async () => {
    as = await startAuthorizationServer()
    const tokens = as.tokens
    running = await serveHandler({
      auth: bearerAuth({
        authorizationServers: [as.url],
        requiredScopes: ['mcp:read'],
        scopesFor: (call) =>
          call.method === 'tools/call' && (call.params as { name?: string }).name === 'count'
            ? ['mcp:write']
            : [],
        verify: (token) => {
          const scopes = tokens.get(token)
          return scopes === undefined ? undefined : { principal: 'alice', scopes }
        },
      }),
    })
    const endpoint = new URL(`${running.url}/mcp`)
    const provider = new TestProvider()
    const client = new Client({ name: 'auth-test', version: '1.0.0' })

    // 401: the client reads resource_metadata and scope, finds the authorization server.
    await expect(
      client.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: provider })),
    ).rejects.toBeInstanceOf(UnauthorizedError)
    const asked = (url: URL | undefined) => ({
      scope: url?.searchParams.get('scope'),
      resource: url?.searchParams.get('resource'),
    })
    expect(asked(provider.authorizationUrl)).toEqual({ scope: 'mcp:read', resource: endpoint.href })
    const first = new StreamableHTTPClientTransport(endpoint, { authProvider: provider })
    await first.finishAuth(await as.approve(provider.authorizationUrl!))
    await client.connect(first)
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'hi' }])

    // 403 insufficient_scope: the client asks for the scopes the challenge names.
    await expect(client.callTool({ name: 'count', arguments: { n: 2 } })).rejects.toBeInstanceOf(
      UnauthorizedError,
    )
    expect(asked(provider.authorizationUrl)).toEqual({
      scope: 'mcp:read mcp:write',
      resource: endpoint.href,
    })
    await first.finishAuth(await as.approve(provider.authorizationUrl!))
    const counted = await client.callTool({ name: 'count', arguments: { n: 2 } })
    expect(counted.content).toEqual([{ type: 'text', text: 'counted 2' }])
    expect([...tokens.values()]).toEqual([['mcp:read'], ['mcp:read', 'mcp:write']])
    await client.close()
  })
})
