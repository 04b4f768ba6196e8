import { createHash } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { waitFor } from '../../test/_wait-for.js'
import { createHostOriginCheck } from '../security/host-origin.js'
import { serve } from './serve.js'
import { type FetchHandler, type NodeHandlerOptions, toNodeHandler } from './to-node-handler.js'

const encoder = new TextEncoder()
const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

async function listen(fetch: FetchHandler, options?: NodeHandlerOptions): Promise<string> {
  const server = createServer(toNodeHandler(fetch, options))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

// Deno's node:http replaces the bridge's `Connection: close` with keep-alive (Deno 2.9).
const isDeno = 'Deno' in globalThis

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** A raw `node:http` request whose response is handed over unread (paused). */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
  body?: (write: (chunk: Uint8Array) => boolean) => Promise<void>,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers })
    req.on('response', resolve)
    req.on('error', reject)
    if (body === undefined) req.end()
    else
      body((chunk) => req.write(chunk)).then(
        () => req.end(),
        (error: unknown) => req.destroy(error as Error),
      )
  })
}

async function readAll(res: IncomingMessage): Promise<string> {
  let text = ''
  res.setEncoding('utf8')
  for await (const chunk of res) text += chunk
  return text
}

describe('toNodeHandler request bodies', () => {
  it('toNodeHandler() streams a large request body in, intact and in several chunks', async () => {
    let chunks = 0
    const url = await listen(async (request) => {
      const hash = createHash('sha256')
      let bytes = 0
      const reader = request.body!.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks++
        bytes += value.byteLength
        hash.update(value)
      }
      return Response.json({ bytes, sha256: hash.digest('hex') })
    })
    const payload = new Uint8Array(8 * 1024 * 1024)
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff
    const response = await fetch(`${url}/upload`, { method: 'POST', body: payload })
    expect(await response.json()).toEqual({
      bytes: payload.length,
      sha256: createHash('sha256').update(payload).digest('hex'),
    })
    expect(chunks).toBeGreaterThan(1)
  })

  it('toNodeHandler() hands the first body chunk over before the client has sent the rest', async () => {
    const firstChunkSeen = deferred()
    const url = await listen(async (request) => {
      const reader = request.body!.getReader()
      const first = await reader.read()
      firstChunkSeen.resolve()
      let rest = 0
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        rest += value.byteLength
      }
      return Response.json({ first: first.value?.byteLength, rest })
    })
    // The client sends the second part only once the handler has seen the first one: a bridge that
    // buffered the whole body before calling fetch would never get there.
    const res = await rawRequest(
      `${url}/upload`,
      { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
      async (write) => {
        write(encoder.encode('first part'))
        await firstChunkSeen.promise
        write(encoder.encode('second part'))
      },
    )
    expect(JSON.parse(await readAll(res))).toEqual({ first: 10, rest: 11 })
  })

  it('toNodeHandler() gives GET and HEAD requests no body', async () => {
    const bodies: (ReadableStream | null)[] = []
    const url = await listen((request) => {
      bodies.push(request.body)
      return new Response(null, { status: 204 })
    })
    await fetch(url)
    await fetch(url, { method: 'HEAD' })
    expect(bodies).toEqual([null, null])
  })

  it.skipIf(isDeno)(
    'toNodeHandler() closes the connection when the handler stops reading a body early',
    async () => {
      const url = await listen(async (request) => {
        const reader = request.body!.getReader()
        await reader.read()
        await reader.cancel()
        return new Response('too large', { status: 413 })
      })
      const res = await rawRequest(
        `${url}/upload`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        async (write) => {
          write(new Uint8Array(64 * 1024))
        },
      )
      expect(res.statusCode).toBe(413)
      expect(res.headers.connection).toBe('close')
      expect(await readAll(res)).toBe('too large')
    },
  )
})

describe('toNodeHandler URLs and headers', () => {
  it('toNodeHandler() builds the URL from the Host header and the request target', async () => {
    const seen: string[] = []
    const url = await listen((request) => {
      seen.push(`${request.url} ${request.headers.get('host')}`)
      return new Response('ok')
    })
    await readAll(await rawRequest(`${url}/mcp?x=1`, { headers: { host: 'example.test:1234' } }))
    expect(seen).toEqual(['http://example.test:1234/mcp?x=1 example.test:1234'])
  })

  it('toNodeHandler() keeps a malformed Host out of the URL but passes it on as a header', async () => {
    const seen: string[] = []
    const url = await listen((request) => {
      seen.push(`${request.url} ${request.headers.get('host')}`)
      return new Response('ok')
    })
    const port = new URL(url).port
    const res = await rawRequest(`${url}/mcp`, { headers: { host: 'localhost@evil.com' } })
    expect(res.statusCode).toBe(200)
    await readAll(res)
    expect(seen).toEqual([`http://127.0.0.1:${port}/mcp localhost@evil.com`])
  })

  it('toNodeHandler() uses the local address for the URL of an HTTP/1.0 request without Host', async () => {
    const seen: string[] = []
    const url = await listen((request) => {
      seen.push(`${request.url} ${request.headers.get('host')}`)
      return new Response('ok')
    })
    const { port } = new URL(url)
    const reply = await new Promise<string>((resolve, reject) => {
      let text = ''
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET /legacy?a=b HTTP/1.0\r\n\r\n')
      })
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        text += chunk
      })
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(reply).toMatch(/^HTTP\/1\.1 200/)
    expect(seen).toEqual([`http://127.0.0.1:${port}/legacy?a=b null`])
  })

  it('toNodeHandler() passes repeated request headers on and preserves every Set-Cookie', async () => {
    let accept: string | null = null
    const url = await listen((request) => {
      accept = request.headers.get('x-multi')
      const headers = new Headers({ 'content-type': 'text/plain' })
      headers.append('set-cookie', 'a=1; Path=/')
      headers.append('set-cookie', 'b=2, c; Path=/')
      return new Response('ok', { headers })
    })
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(url, { headers: { 'x-multi': ['one', 'two'] } })
      req.on('response', resolve).on('error', reject).end()
    })
    await readAll(res)
    expect(accept).toBe('one, two')
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2, c; Path=/'])
  })

  it('toNodeHandler() sends no body for HEAD, 204 and 304, and cancels the unused body', async () => {
    const cancelled: string[] = []
    const url = await listen((request) => {
      const status = Number(new URL(request.url).searchParams.get('status') ?? '200')
      const body = new ReadableStream({
        pull(controller) {
          controller.enqueue(encoder.encode('body'))
        },
        cancel() {
          cancelled.push(`${request.method} ${status}`)
        },
      })
      return new Response(status === 204 || status === 304 ? null : body, { status })
    })
    const head = await fetch(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await fetch(`${url}/?status=204`)).status).toBe(204)
    expect((await fetch(`${url}/?status=304`)).status).toBe(304)
    await waitFor(() => cancelled.length === 1, 1000) // Bun's runner has no vi.waitFor
    expect(cancelled).toEqual(['HEAD 200'])
  })
})

describe('toNodeHandler with the Host/Origin check', () => {
  async function guarded(): Promise<string> {
    const check = createHostOriginCheck()
    return listen((request) => check(request) ?? new Response('{"ok":true}'))
  }

  it('toNodeHandler() lets the check refuse the conformance DNS-rebinding request', async () => {
    const url = await guarded()
    const res = await rawRequest(`${url}/mcp`, {
      method: 'POST',
      headers: { host: 'evil.example.com', origin: 'http://evil.example.com' },
    })
    expect(res.statusCode).toBe(403)
    expect(JSON.parse(await readAll(res)).error.code).toBe(-32000)
  })

  it('toNodeHandler() lets the check accept the same request on the real loopback host', async () => {
    const url = await guarded()
    const res = await rawRequest(`${url}/mcp`, {
      method: 'POST',
      headers: { origin: `http://localhost:${new URL(url).port}` },
    })
    expect(res.statusCode).toBe(200)
    await readAll(res)
  })

  it('toNodeHandler() passes a malformed Host to the check, which refuses it', async () => {
    const url = await guarded()
    for (const host of ['localhost@evil.com', '127.0.0.1.evil.com', 'localhost:3000/x']) {
      const res = await rawRequest(`${url}/mcp`, { headers: { host } })
      expect(res.statusCode).toBe(403)
      await readAll(res)
    }
  })
})

describe('toNodeHandler response streaming', () => {
  it('toNodeHandler() sends event-stream headers before the first event exists', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const url = await listen(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              controller = c
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    )
    // fetch() resolves on the status line: the stream has no event yet at that point.
    const response = await fetch(`${url}/mcp`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    controller.enqueue(encoder.encode('data: one\n\n'))
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n')
    controller.close()
    expect((await reader.read()).done).toBe(true)
  })

  it('toNodeHandler() delivers each event before the stream ends', async () => {
    const firstEventSeen = deferred()
    const url = await listen(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(encoder.encode('data: first\n\n'))
              await firstEventSeen.promise
              controller.enqueue(encoder.encode('data: second\n\n'))
              controller.close()
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    )
    const response = await fetch(`${url}/mcp`)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    expect((await reader.read()).value).toBe('data: first\n\n')
    firstEventSeen.resolve()
    expect((await reader.read()).value).toBe('data: second\n\n')
    expect((await reader.read()).done).toBe(true)
  })

  it('toNodeHandler() pulls from the body no faster than a slow client consumes', async () => {
    const chunkSize = 64 * 1024
    const total = 64 * 1024 * 1024
    let pulled = 0
    const url = await listen(
      () =>
        new Response(
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                if (pulled >= total) {
                  controller.close()
                  return
                }
                pulled += chunkSize
                controller.enqueue(new Uint8Array(chunkSize))
              },
            },
            { highWaterMark: 0 },
          ),
          { headers: { 'content-type': 'application/octet-stream' } },
        ),
    )
    const res = await rawRequest(`${url}/big`)
    // The client reads nothing yet. Wait until the server stops pulling (socket buffers full).
    let last = -1
    let stableRounds = 0
    for (let round = 0; round < 200 && stableRounds < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      stableRounds = pulled === last ? stableRounds + 1 : 0
      last = pulled
    }
    const bound = 16 * 1024 * 1024 // kernel socket buffers plus Node's, far below the 64 MiB total
    expect(stableRounds).toBe(5)
    expect(pulled).toBeLessThan(bound)

    let consumed = 0
    let maxAhead = 0
    for await (const chunk of res) {
      consumed += (chunk as Buffer).byteLength
      maxAhead = Math.max(maxAhead, pulled - consumed)
    }
    expect(consumed).toBe(total)
    expect(maxAhead).toBeLessThan(bound)
  })
})

describe('toNodeHandler disconnects and errors', () => {
  it('toNodeHandler() aborts request.signal and cancels the body when the client goes away', async () => {
    const cancelled = deferred<unknown>()
    let signal: AbortSignal | undefined
    const url = await listen((request) => {
      signal = request.signal
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode('data: hello\n\n'))
          },
          cancel(reason) {
            cancelled.resolve(reason)
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    })
    const client = new AbortController()
    const response = await fetch(`${url}/mcp`, { signal: client.signal })
    const reader = response.body!.getReader()
    await reader.read()
    expect(signal?.aborted).toBe(false)
    client.abort()
    await cancelled.promise
    await waitFor(() => signal?.aborted === true, 1000)
    expect(signal?.aborted).toBe(true)
  })

  it('toNodeHandler() aborts the signal of a pending fetch and cancels its late body', async () => {
    const started = deferred()
    const aborted = deferred()
    const cancelled = deferred()
    const url = await listen(async (request) => {
      started.resolve()
      if (!request.signal.aborted) {
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve))
      }
      aborted.resolve()
      return new Response(
        new ReadableStream({
          cancel() {
            cancelled.resolve()
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    })
    const req = httpRequest(`${url}/mcp`)
    req.on('error', () => {})
    req.end()
    await started.promise // the client leaves while the fetch is pending, however slow the machine
    req.destroy()
    await aborted.promise
    await cancelled.promise
  })

  it('toNodeHandler() does not abort the signal of a request that completed normally', async () => {
    let signal: AbortSignal | undefined
    const url = await listen((request) => {
      signal = request.signal
      return new Response('done')
    })
    expect(await (await fetch(url)).text()).toBe('done')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(signal?.aborted).toBe(false)
  })

  it('toNodeHandler() answers a throwing handler with a generic 500 and reports the error', async () => {
    const onError = vi.fn()
    const url = await listen(
      () => {
        throw new Error('database password is hunter2')
      },
      { onError },
    )
    const response = await fetch(`${url}/mcp`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toContain('hunter2')
    expect(JSON.parse(text)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32603, message: 'Internal server error' },
    })
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'database password is hunter2' }),
    )
  })

  it('toNodeHandler() answers a rejected promise the same way', async () => {
    const onError = vi.fn()
    const url = await listen(() => Promise.reject(new Error('secret')), { onError })
    const response = await fetch(url)
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('secret')
    expect(onError).toHaveBeenCalledOnce()
  })

  it('toNodeHandler() cuts the connection when a body fails mid-stream and reports it', async () => {
    const onError = vi.fn()
    const url = await listen(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode('data: partial\n\n'))
            },
            pull(controller) {
              controller.error(new Error('stream exploded'))
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      { onError },
    )
    const res = await rawRequest(`${url}/mcp`)
    await expect(readAll(res)).rejects.toThrow()
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'stream exploded' }))
  })
  it('toNodeHandler() reports a Response whose body was already read instead of crashing', async () => {
    const onError = vi.fn()
    const url = await listen(
      async (request) => {
        const response = new Response('fine')
        if (new URL(request.url).pathname === '/used') await response.text()
        return response
      },
      { onError },
    )
    const res = await rawRequest(`${url}/used`).catch((error: unknown) => error)
    expect(res).toBeInstanceOf(Error)
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError))
    // The server still answers the next request.
    expect(await (await fetch(`${url}/ok`)).text()).toBe('fine')
  })
})

describe('serve', () => {
  it('serve() listens on loopback and stops when its signal aborts', async () => {
    const controller = new AbortController()
    const { server, url } = await serve({
      fetch: (request) => new Response(new URL(request.url).pathname),
      port: 0,
      signal: controller.signal,
    })
    expect(url.hostname).toBe('127.0.0.1')
    expect(await (await fetch(new URL('/hello', url))).text()).toBe('/hello')
    const closed = new Promise((resolve) => server.once('close', resolve))
    controller.abort()
    await closed
    expect(server.listening).toBe(false)
  })
})
