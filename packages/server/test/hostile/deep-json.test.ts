import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '../../src/index.js'
import { exceedsJsonDepth } from '../../src/protocol/json-depth.js'
import { buildServer, type Running, serveHandler } from '../_fixture.js'
import { BASE } from '../_requests.js'
import { deepRequest, mismatch, nestedArrays, openSessions, postTo } from './_hostile.js'

// 1M levels are 2 MB of brackets (6 MB as nested objects): the body cap must let them reach the check.
const BIG_BODY = 16 * 1024 * 1024
const DEPTHS = [10_000, 1_000_000]

interface Target {
  readonly mcp: McpHandler
  /** Sends a request built for `BASE` to the handler, through fetch or over HTTP. */
  send(request: Request): Promise<Response>
  close(): Promise<void>
}

async function fetchTarget(options: Partial<McpHandlerOptions>): Promise<Target> {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    ...options,
  })
  return { mcp, send: (request) => mcp.fetch(request), close: () => mcp.close() }
}

async function nodeTarget(options: Partial<McpHandlerOptions>): Promise<Target> {
  const running: Running = await serveHandler(options)
  return {
    mcp: running.mcp,
    async send(request) {
      const body = request.method === 'GET' ? undefined : await request.arrayBuffer()
      return fetch(running.url + request.url.slice(BASE.length), {
        method: request.method,
        headers: request.headers,
        ...(body === undefined ? {} : { body }),
      })
    },
    close: () => running.close(),
  }
}

describe('exceedsJsonDepth()', () => {
  it('counts arrays and objects, skipping brackets inside strings and escaped quotes', () => {
    expect(exceedsJsonDepth('{"a":[1,{"b":2}]}', 3)).toBe(false)
    expect(exceedsJsonDepth('{"a":[1,{"b":2}]}', 2)).toBe(true)
    expect(exceedsJsonDepth('{"a":"[[[[\\"[[["}', 1)).toBe(false)
    expect(exceedsJsonDepth(nestedArrays(5_000_000), 128)).toBe(true)
  })
})

for (const [path, makeTarget] of [
  ['fetch', fetchTarget],
  ['direct Node', nodeTarget],
] as const) {
  for (const hibernate of [false, true]) {
    describe(`deep JSON through ${path}, ${hibernate ? 'with' : 'without'} hibernation`, () => {
      let target: Target | undefined
      afterEach(async () => {
        await target?.close()
        target = undefined
      })

      it('answers 400 -32600 on every route at 10k and 1M levels, before any server logic', async () => {
        const errors: unknown[] = []
        let connects = 0
        target = await makeTarget({
          maxBodyBytes: BIG_BODY,
          keepAliveMs: 0,
          onerror: (error) => errors.push(error),
          connect: (transport) => {
            connects++
            return buildServer().connect(transport)
          },
          ...(hibernate ? { hibernateAfterMs: 1 } : {}),
        })
        const sessions = await openSessions(target.mcp)
        const connected = connects
        const session = { 'mcp-session-id': sessions.modern }
        const failures: string[] = []
        for (const depth of DEPTHS) {
          const cases: [string, Request][] = [
            ['initialize', postTo('/mcp', deepRequest('initialize', depth))],
            ['setLevel', postTo('/mcp', deepRequest('logging/setLevel', depth, 2), session)],
            ['arrays', postTo('/mcp', nestedArrays(depth), session)],
            [
              'legacy',
              postTo(`/messages?sessionId=${sessions.legacy}`, deepRequest('ping', depth)),
            ],
          ]
          for (const [name, request] of cases) {
            const problem = await mismatch(await target.send(request), {
              status: 400,
              code: -32600,
            })
            if (problem !== undefined) failures.push(`${name} at ${depth}: ${problem}`)
          }
        }
        expect(failures).toEqual([])
        expect(errors).toEqual([])
        expect(connects).toBe(connected) // no server was built or woken for them
        sessions.close()
        await target.mcp.close()
        expect(target.mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
      }, 30_000)
    })
  }
}
