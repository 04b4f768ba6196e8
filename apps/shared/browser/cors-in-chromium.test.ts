// A real browser against each sample app: a page on another origin (another loopback port) uses
// Streamable HTTP with fetch and the legacy transport with EventSource, writes what it received
// into the page, and the test reads it back. The apps run with CORS=1 (the handler's `cors`).
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUNTIMES, type RunningApp, startApp } from '../src/start-app.js'
import { Chromium } from './chromium.js'

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8')

let browser: Chromium
let pageServer: Server
let pageOrigin: string

beforeAll(async () => {
  browser = Chromium.launch()
  pageServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE)
  })
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve))
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`
}, 180_000)

afterAll(async () => {
  await browser?.close()
  pageServer?.closeAllConnections()
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()))
})

/** Opens the page against `server` and reads back what it wrote into `#result`. */
async function runPage(server: string): Promise<unknown> {
  const value = await browser.evaluateIn(
    `${pageOrigin}/?server=${encodeURIComponent(server)}`,
    `window.finished.then(() => document.getElementById('result').textContent)`,
  )
  return JSON.parse(String(value))
}

describe.each(RUNTIMES)('a page on another origin, against the %s app', (runtime) => {
  let app: RunningApp

  beforeAll(async () => {
    app = await startApp(runtime, 60_000, { CORS: '1' })
  }, 90_000)
  afterAll(async () => {
    await app?.stop()
  })

  it('uses Streamable HTTP with fetch and the legacy transport with EventSource', async () => {
    expect(new URL(app.url).origin).not.toBe(pageOrigin)
    expect(await runPage(app.url)).toEqual({
      streamableHttp: {
        sessionIdVisible: true,
        server: 'mcpwire-sample',
        initialized: 202,
        echo: 'hello over fetch',
        deleted: 200,
      },
      legacySse: {
        endpointSameServer: true,
        accepted: 202,
        server: 'mcpwire-sample',
        echo: 'hello over EventSource',
      },
    })
  }, 60_000)
})
