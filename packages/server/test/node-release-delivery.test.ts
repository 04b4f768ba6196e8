import { createServer, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler } from '../src/index.js'
import { type FetchHandler, sendWebResponse, serve, toNodeHandler } from '../src/node/index.js'
import { buildServer } from './_fixture.js'
import { ACCEPT_BOTH, initializeBody } from './_requests.js'

// Every response must reach the client whole on every Node release from 20.19 on. On Node 22.23.5
// and 24.9.0 a corked `ServerResponse` keeps the chunked writes made after its headers went out in
// a buffer of its own that `end()` writes after the terminating chunk: every Streamable HTTP POST
// answered 200 with an empty body. This file runs in the ordinary suite and, pinned, on those
// releases (`test:node-pinned`).

const handlers: McpHandler[] = []
const closers: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  for (const mcp of handlers.splice(0)) {
    await mcp.close()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  }
})

type Mount = 'serve' | 'toNodeHandler' | 'fetch bridge'

function handler(jsonResponse: boolean): McpHandler {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: () => {},
    jsonResponse,
  })
  handlers.push(mcp)
  return mcp
}

async function listen(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Serves `mcp` the way `mount` says and returns the base URL. */
async function mount(how: Mount, mcp: McpHandler): Promise<string> {
  if (how === 'serve') {
    const running = await serve({ fetch: mcp.fetch, port: 0 })
    closers.push(running.close)
    return running.url.href.replace(/\/$/, '')
  }
  const fetch: FetchHandler = how === 'toNodeHandler' ? mcp.fetch : (request) => mcp.fetch(request)
  return listen(toNodeHandler(fetch))
}

interface RawResponse {
  readonly head: string
  /** The de-chunked body. */
  readonly body: string
  /** Whatever the server sent after the response ended: must be nothing. */
  readonly trailing: string
}

/** Sends one raw HTTP/1.1 request (`Connection: close`) and reads the bytes until the server closes. */
function rawExchange(url: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('no end within 5 s')))
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      const head = text.slice(0, split)
      let rest = text.slice(split + 4)
      if (!/^transfer-encoding: chunked$/im.test(head)) {
        const length = Number(/^content-length: (\d+)$/im.exec(head)?.[1] ?? rest.length)
        resolve({ head, body: rest.slice(0, length), trailing: rest.slice(length) })
        return
      }
      let body = ''
      for (;;) {
        const eol = rest.indexOf('\r\n')
        const size = Number.parseInt(rest.slice(0, eol), 16)
        if (eol < 0 || Number.isNaN(size)) {
          reject(new Error(`bad chunk framing: ${JSON.stringify(rest)}`))
          return
        }
        rest = rest.slice(eol + 2)
        if (size === 0) break
        body += rest.slice(0, size)
        rest = rest.slice(size + 2)
      }
      resolve({ head, body, trailing: rest.slice(2) })
    })
  })
}

function rawPost(path: string, body: string, headers: Record<string, string> = {}): string {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Accept: ${ACCEPT_BOTH}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

describe(`responses reach the client whole on Node ${process.version}`, () => {
  for (const how of ['serve', 'toNodeHandler', 'fetch bridge'] as const) {
    for (const jsonResponse of [false, true]) {
      const kind = jsonResponse ? 'JSON' : 'SSE'

      it(`${how} delivers ${kind} answers to the SDK client, progress events included`, async () => {
        const url = await mount(how, handler(jsonResponse))
        const client = new Client({ name: 'delivery', version: '1.0.0' })
        await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url)), {
          timeout: 5000,
        })
        try {
          const echoed = await client.callTool(
            { name: 'echo', arguments: { text: 'whole' } },
            undefined,
            { timeout: 5000 },
          )
          expect(echoed.content).toEqual([{ type: 'text', text: 'whole' }])
          const progress: number[] = []
          const counted = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
            timeout: 5000,
            onprogress: ({ progress: value }) => progress.push(value),
          })
          expect(counted.content).toEqual([{ type: 'text', text: 'counted 3' }])
          if (!jsonResponse) expect(progress).toEqual([1, 2, 3])
        } finally {
          await client.close()
        }
      })

      it(`${how} frames a ${kind} initialize answer with its end last`, async () => {
        const url = await mount(how, handler(jsonResponse))
        const answer = await rawExchange(url, rawPost('/mcp', initializeBody(7)))
        expect(answer.head).toMatch(/^HTTP\/1\.1 200 /)
        expect(answer.body).toContain('"id":7')
        expect(answer.body).toContain('"protocolVersion"')
        expect(answer.trailing).toBe('')
      })
    }
  }

  it('sendWebResponse delivers every chunk a body already holds, the end last', async () => {
    const pieces = ['data: one\n\n', 'data: two\n\n', 'data: three\n\n']
    const url = await listen((_req, res) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece))
          controller.close()
        },
      })
      void sendWebResponse(
        res,
        new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
      )
    })
    const answer = await rawExchange(url, rawPost('/', '{}'))
    expect(answer.body).toBe(pieces.join(''))
    expect(answer.trailing).toBe('')
  })

  it('sendWebResponse delivers a JSON body read in several chunks, the end last', async () => {
    const pieces = ['{"jsonrpc":"2.0",', '"id":1,', '"result":{}}']
    const url = await listen((_req, res) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece))
          controller.close()
        },
      })
      void sendWebResponse(
        res,
        new Response(body, { headers: { 'content-type': 'application/json' } }),
      )
    })
    const answer = await rawExchange(url, rawPost('/', '{}'))
    expect(answer.body).toBe(pieces.join(''))
    expect(answer.trailing).toBe('')
  })
})
