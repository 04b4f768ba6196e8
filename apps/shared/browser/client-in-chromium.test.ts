// @mcpwire/client in a real browser: a page on another origin (a second loopback port) imports the
// built ESM of the client and its siblings through an import map, talks to the sample server
// (createExampleHandler on node:http) in every era the client speaks with it, writes what it
// found into the page, and the test reads it back. Without CORS for the page's origin it must
// fail, so that the test cannot pass by not talking to the server at all.
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join, normalize, sep } from 'node:path'
import { toNodeHandler } from '@mcpwire/server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createExampleHandler, type ExampleHandler } from '../src/example-handler.js'
import { Chromium } from './chromium.js'

/** Text that breaks naive SSE, JSON or header handling: newlines, quotes, NUL, non-ASCII. */
const HOSTILE =
  'line1\nline2\r\ndata: fake\n\nid: 9\r: comment\u2028\u0000 "quotes" \'single\' \\ é 日本 🎉 </script>'

const require = createRequire(import.meta.url)
/** URL prefix → the built `dist` folder of that package. */
const DIST: Record<string, string> = Object.fromEntries(
  ['client', 'jsonrpc', 'sse'].map((name) => [
    `/${name}/`,
    join(dirname(require.resolve(`@mcpwire/${name}/package.json`)), 'dist'),
  ]),
)
const PAGE = new URL('./client-page.html', import.meta.url)

/** The page and the three packages' built files; nothing else. */
async function servePage(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://page').pathname
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await readFile(PAGE))
    return
  }
  for (const [prefix, root] of Object.entries(DIST)) {
    if (!path.startsWith(prefix) || !path.endsWith('.js')) continue
    const file = normalize(join(root, path.slice(prefix.length)))
    if (!file.startsWith(root + sep)) break
    try {
      const body = await readFile(file)
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body)
      return
    } catch {
      break
    }
  }
  res.writeHead(404).end()
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function stop(server: Server | undefined): Promise<void> {
  if (server === undefined) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Takes `Mcp-Session-Id` out of `Access-Control-Expose-Headers`, as a misconfigured proxy might. */
function hidingSessionId(fetch: (request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const response = await fetch(request)
    const exposed = response.headers.get('access-control-expose-headers')
    if (exposed === null) return response
    const headers = new Headers(response.headers)
    const kept = exposed.split(',').filter((name) => name.trim().toLowerCase() !== 'mcp-session-id')
    headers.set('access-control-expose-headers', kept.join(','))
    return new Response(response.body, { status: response.status, headers })
  }
}

/** The sample server on node:http, recording each request as "METHOD path origin". */
async function startSample(cors: boolean, pageOrigin: string, hideSessionId = false) {
  const app: ExampleHandler = createExampleHandler(cors ? { cors: { origins: [pageOrigin] } } : {})
  const node = toNodeHandler(hideSessionId ? hidingSessionId(app.fetch) : app.fetch)
  const seen: string[] = []
  const { server, origin } = await listen((req, res) => {
    seen.push(`${req.method} ${new URL(req.url ?? '/', origin).pathname} ${req.headers.origin}`)
    node(req, res)
  })
  return {
    origin,
    seen,
    async stop() {
      await app.close(0)
      await stop(server)
    },
  }
}

let browser: Chromium
let page: Server
let pageOrigin: string

beforeAll(async () => {
  browser = Chromium.launch()
  ;({ server: page, origin: pageOrigin } = await listen((req, res) => {
    servePage(req, res).catch(() => res.writeHead(500).end())
  }))
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stop(page)
})

/** Opens the page against `server` and reads back what it wrote into `#result`. */
async function runPage(server: string): Promise<Record<string, Record<string, unknown>>> {
  const query = new URLSearchParams({ server, text: HOSTILE })
  const value = await browser.evaluateIn(
    `${pageOrigin}/?${query}`,
    `window.finished.then(() => document.getElementById('result').textContent)`,
  )
  return JSON.parse(String(value))
}

const ZERO_GAUGES = {
  openStreams: 0,
  pendingRequests: 0,
  armedTimers: 0,
  inflightFetches: 0,
  queuedMessages: 0,
}

const leg = (era: string, kind: string) => ({
  era,
  kind,
  tools: expect.arrayContaining(['countdown', 'echo']),
  echo: HOSTILE,
  echoExact: true,
  progressBeforeResult: [1, 2, 3],
  liftoff: 'Liftoff after 3 ticks',
  state: 'closed',
  gauges: ZERO_GAUGES,
})

describe('@mcpwire/client in chromium, from a page on another origin', () => {
  it('speaks every era with the sample server when CORS allows the page', async () => {
    const sample = await startSample(true, pageOrigin)
    try {
      expect(sample.origin).not.toBe(pageOrigin)
      expect(await runPage(sample.origin)).toEqual({
        stateless: leg('stateless', 'streamable-http'),
        session: leg('session', 'streamable-http'),
        legacy: leg('legacy', 'sse'),
      })
      // The requests really came from the page's origin, the legacy ones on /sse and /messages.
      expect(sample.seen).toContain(`GET /sse ${pageOrigin}`)
      expect(sample.seen).toContain(`POST /messages ${pageOrigin}`)
      expect(sample.seen).toContain(`DELETE /mcp ${pageOrigin}`)
    } finally {
      await sample.stop()
    }
  }, 60_000)

  it('names the missing Access-Control-Expose-Headers when the page cannot read the session id (R-B1)', async () => {
    const sample = await startSample(true, pageOrigin, true)
    try {
      const results = await runPage(sample.origin)
      // Only the session era needs the header: the stateless era has no session, and the legacy
      // transport gets its session in the endpoint event's URL.
      expect(results.stateless).toEqual(leg('stateless', 'streamable-http'))
      expect(results.legacy).toEqual(leg('legacy', 'sse'))
      expect(results.session).toEqual({
        error: expect.stringContaining('Access-Control-Expose-Headers: Mcp-Session-Id'),
      })
    } finally {
      await sample.stop()
    }
  }, 60_000)

  it('fails in every leg when the server does not allow the page origin (CORS)', async () => {
    const sample = await startSample(false, pageOrigin)
    try {
      const results = await runPage(sample.origin)
      expect(Object.keys(results)).toEqual(['stateless', 'session', 'legacy'])
      for (const result of Object.values(results))
        expect(result).toEqual({ error: expect.stringMatching(/fetch/i) })
      // The page did reach the server: the browser withheld the answers.
      expect(sample.seen.length).toBeGreaterThan(0)
    } finally {
      await sample.stop()
    }
  }, 60_000)
})
