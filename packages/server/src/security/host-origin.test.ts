import { describe, expect, it } from 'vitest'
import {
  checkHostAndOrigin,
  createHostOriginCheck,
  type HostOriginOptions,
  isLoopbackHost,
  isLoopbackOrigin,
} from './host-origin.js'

function request(headers: Record<string, string>, url = 'http://127.0.0.1:3000/mcp'): Request {
  return new Request(url, { method: 'POST', headers })
}

/** The status the check answers, or 'allowed'. */
function verdict(
  headers: Record<string, string>,
  options: HostOriginOptions = {},
  url?: string,
): number | 'allowed' {
  const response = checkHostAndOrigin(request(headers, url), options)
  return response === undefined ? 'allowed' : response.status
}

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'localhost:3000',
    'LOCALHOST',
    'LocalHost:8080',
    'localhost.',
    'localhost.:3000',
    '127.0.0.1',
    '127.0.0.1:65535',
    '127.0.0.1.',
    '127.255.255.254:1',
    '127.1',
    '[::1]',
    '[::1]:3000',
    '[0:0:0:0:0:0:0:1]:3000',
  ])('isLoopbackHost() accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true)
  })

  it.each([
    ['', 'empty'],
    ['0.0.0.0', 'the unspecified address'],
    ['0.0.0.0:3000', 'the unspecified address with a port'],
    ['[::]', 'the IPv6 unspecified address'],
    ['[::ffff:127.0.0.1]', 'IPv4-mapped IPv6 (not in the default list)'],
    ['localhost@evil.com', 'userinfo trick'],
    ['localhost:3000@evil.com', 'userinfo trick with port'],
    ['evil.com#@localhost', 'fragment trick'],
    ['127.0.0.1.evil.com', 'a name that starts like an address'],
    ['localhost.evil.com', 'a subdomain of another name'],
    ['evil-localhost', 'a name that ends like localhost'],
    ['sub.localhost', 'a localhost subdomain'],
    ['localhost..', 'two trailing dots'],
    ['localhost:', 'an empty port'],
    ['localhost:99999', 'a port out of range'],
    ['localhost:3000:4000', 'two ports'],
    ['localhost/mcp', 'a path'],
    ['localhost, evil.com', 'two Host values joined'],
    [' localhost', 'leading space'],
    ['local%68ost', 'a percent escape'],
    ['0127.0.0.1', 'an octal-looking address (87.0.0.1)'],
    ['128.0.0.1', 'an address outside 127/8'],
    ['::1', 'an unbracketed IPv6 literal'],
    ['[::1', 'an unclosed bracket'],
    ['[::2]', 'another IPv6 address'],
    ['[fe80::1%25eth0]', 'a zone id'],
  ])('isLoopbackHost() rejects %j (%s)', (host) => {
    expect(isLoopbackHost(host)).toBe(false)
  })
})

describe('isLoopbackOrigin', () => {
  it.each([
    'http://localhost',
    'http://localhost:5173',
    'https://localhost',
    'HTTP://LOCALHOST:3000',
    'http://127.0.0.1:3000',
    'https://127.0.0.2',
    'http://[::1]:8080',
    'http://localhost.:3000',
  ])('isLoopbackOrigin() accepts %s', (origin) => {
    expect(isLoopbackOrigin(origin)).toBe(true)
  })

  it.each([
    'null',
    '',
    'localhost',
    'http://evil.com',
    'http://localhost.evil.com',
    'http://127.0.0.1.evil.com',
    'http://localhost@evil.com',
    'http://evil.com@localhost',
    'http://localhost/',
    'http://localhost:3000/path',
    'ftp://localhost',
    'file://localhost',
    'chrome-extension://localhost',
    'http://0.0.0.0:3000',
    'http://[::ffff:127.0.0.1]',
    'http://localhost:70000',
  ])('isLoopbackOrigin() rejects %j', (origin) => {
    expect(isLoopbackOrigin(origin)).toBe(false)
  })
})

describe('checkHostAndOrigin with the default lists', () => {
  it('checkHostAndOrigin() allows a loopback Host without Origin', () => {
    expect(verdict({ host: 'localhost:3000' })).toBe('allowed')
    expect(verdict({ host: '127.0.0.1:3000' })).toBe('allowed')
    expect(verdict({ host: '[::1]:3000' })).toBe('allowed')
  })

  it('checkHostAndOrigin() allows a loopback Host with a loopback Origin on another port', () => {
    expect(verdict({ host: 'localhost:3000', origin: 'http://localhost:5173' })).toBe('allowed')
  })

  it('checkHostAndOrigin() refuses the conformance DNS-rebinding request with 403', async () => {
    const response = checkHostAndOrigin(
      request({ host: 'evil.example.com', origin: 'http://evil.example.com' }),
      {},
    )
    expect(response?.status).toBe(403)
    expect(response?.headers.get('content-type')).toBe('application/json')
    expect(await response?.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'Forbidden: Host header not allowed' },
    })
  })

  it('checkHostAndOrigin() refuses a rebound Host even without Origin', () => {
    expect(verdict({ host: 'evil.example.com' })).toBe(403)
    expect(verdict({ host: 'localhost.evil.com:3000' })).toBe(403)
    expect(verdict({ host: '127.0.0.1.evil.com' })).toBe(403)
    expect(verdict({ host: 'localhost@evil.com' })).toBe(403)
    expect(verdict({ host: '0.0.0.0:3000' })).toBe(403)
  })

  it('checkHostAndOrigin() refuses a foreign Origin on a loopback Host', async () => {
    const response = checkHostAndOrigin(
      request({ host: 'localhost:3000', origin: 'https://evil.example.com' }),
      {},
    )
    expect(response?.status).toBe(403)
    expect(await response?.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'Forbidden: Origin header not allowed' },
    })
  })

  it('checkHostAndOrigin() refuses the literal null Origin and malformed Origins', () => {
    expect(verdict({ host: 'localhost', origin: 'null' })).toBe(403)
    expect(verdict({ host: 'localhost', origin: 'http://localhost/' })).toBe(403)
    expect(verdict({ host: 'localhost', origin: 'garbage' })).toBe(403)
  })

  it('checkHostAndOrigin() never echoes the offending header in the body', async () => {
    const response = checkHostAndOrigin(
      request({ host: 'localhost', origin: 'http://secret-marker.example' }),
      {},
    )
    expect(await response?.text()).not.toContain('secret-marker')
  })

  it('checkHostAndOrigin() falls back to the request URL host when Host is absent', () => {
    expect(verdict({}, {}, 'http://localhost:3000/mcp')).toBe('allowed')
    expect(verdict({}, {}, 'http://evil.example.com/mcp')).toBe(403)
  })

  it('checkHostAndOrigin() prefers the Host header over the request URL', () => {
    expect(verdict({ host: 'evil.example.com' }, {}, 'http://localhost:3000/mcp')).toBe(403)
  })
})

describe('checkHostAndOrigin with allowed lists', () => {
  it('checkHostAndOrigin() accepts a listed hostname on any port, case-insensitively', () => {
    const options = { allowedHosts: ['MCP.example.com'] }
    expect(verdict({ host: 'mcp.example.com' }, options)).toBe('allowed')
    expect(verdict({ host: 'mcp.example.com:8443' }, options)).toBe('allowed')
    expect(verdict({ host: 'Mcp.Example.Com.' }, options)).toBe('allowed')
  })

  it('checkHostAndOrigin() replaces the loopback default with the list', () => {
    const options = { allowedHosts: ['mcp.example.com'] }
    expect(verdict({ host: 'localhost' }, options)).toBe(403)
    expect(verdict({ host: 'example.com' }, options)).toBe(403)
    expect(verdict({ host: 'mcp.example.com.evil.com' }, options)).toBe(403)
  })

  it('checkHostAndOrigin() matches a listed host:port only on that port', () => {
    const options = { allowedHosts: ['mcp.example.com:8443'] }
    expect(verdict({ host: 'mcp.example.com:8443' }, options)).toBe('allowed')
    expect(verdict({ host: 'mcp.example.com:8444' }, options)).toBe(403)
    expect(verdict({ host: 'mcp.example.com' }, options)).toBe(403)
  })

  it('checkHostAndOrigin() reads a Host without port as the scheme default port', () => {
    const options = { allowedHosts: ['mcp.example.com:443'] }
    expect(verdict({ host: 'mcp.example.com' }, options, 'https://mcp.example.com/mcp')).toBe(
      'allowed',
    )
    expect(verdict({ host: 'mcp.example.com' }, options, 'http://mcp.example.com/mcp')).toBe(403)
  })

  it('checkHostAndOrigin() compares IP literals in canonical form', () => {
    const options = { allowedHosts: ['[0:0:0:0:0:0:0:1]', '[::ffff:127.0.0.1]'] }
    expect(verdict({ host: '[::1]:3000' }, options)).toBe('allowed')
    expect(verdict({ host: '[::ffff:7f00:1]' }, options)).toBe('allowed')
    expect(verdict({ host: '127.0.0.1' }, options)).toBe(403)
  })

  it('checkHostAndOrigin() accepts listed origins after normalisation', () => {
    const options = { allowedOrigins: ['https://App.Example.com:443', 'http://localhost:5173'] }
    const host = { host: 'localhost:3000' }
    expect(verdict({ ...host, origin: 'https://app.example.com' }, options)).toBe('allowed')
    expect(verdict({ ...host, origin: 'HTTPS://APP.EXAMPLE.COM:443' }, options)).toBe('allowed')
    expect(verdict({ ...host, origin: 'http://localhost:5173' }, options)).toBe('allowed')
    expect(verdict({ ...host, origin: 'http://app.example.com' }, options)).toBe(403)
    expect(verdict({ ...host, origin: 'https://app.example.com:8443' }, options)).toBe(403)
    expect(verdict({ ...host, origin: 'http://localhost:3000' }, options)).toBe(403)
    expect(verdict(host, options)).toBe('allowed')
  })

  it('checkHostAndOrigin() accepts a listed non-http origin such as an extension', () => {
    const options = { allowedOrigins: ['vscode-webview://abc123'] }
    expect(verdict({ host: 'localhost', origin: 'vscode-webview://ABC123' }, options)).toBe(
      'allowed',
    )
    expect(verdict({ host: 'localhost', origin: 'vscode-webview://other' }, options)).toBe(403)
  })

  it('checkHostAndOrigin() with empty lists refuses every Host and every present Origin', () => {
    expect(verdict({ host: 'localhost' }, { allowedHosts: [] })).toBe(403)
    expect(verdict({ host: 'localhost', origin: 'http://localhost' }, { allowedOrigins: [] })).toBe(
      403,
    )
    expect(verdict({ host: 'localhost' }, { allowedOrigins: [] })).toBe('allowed')
  })

  it('createHostOriginCheck() throws a TypeError for an invalid list entry', () => {
    expect(() => createHostOriginCheck({ allowedHosts: ['http://example.com'] })).toThrow(TypeError)
    expect(() => createHostOriginCheck({ allowedHosts: ['user@example.com'] })).toThrow(TypeError)
    expect(() => createHostOriginCheck({ allowedOrigins: ['example.com'] })).toThrow(TypeError)
    expect(() => createHostOriginCheck({ allowedOrigins: ['https://example.com/'] })).toThrow(
      TypeError,
    )
  })

  it('createHostOriginCheck() returns a reusable check with the same verdicts', () => {
    const checkRequest = createHostOriginCheck({ allowedHosts: ['mcp.example.com'] })
    expect(checkRequest(request({ host: 'mcp.example.com' }))).toBeUndefined()
    expect(checkRequest(request({ host: 'localhost' }))?.status).toBe(403)
    expect(createHostOriginCheck()(request({ host: 'localhost' }))).toBeUndefined()
  })
})
