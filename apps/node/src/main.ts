// The Node sample: node:http through @mcpwire/server/node. MCP requests go to the handler directly
// (toNodeHandler(mcp.fetch) needs no Fetch objects); /health, and every request while the app
// shuts down, go through the app's fetch.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createExampleHandler,
  handlerOptions,
  listenAddress,
  listeningLine,
  shutdownOnSignals,
} from '@mcpwire/app-shared'
import { toNodeHandler } from '@mcpwire/server/node'
import { redisCommands, withRedisCluster } from './redis-cluster.js'

const { hostname, port } = listenAddress(process.env)
const app = createExampleHandler(await withRedisCluster(process.env, handlerOptions(process.env)))
const direct = toNodeHandler(app.mcp.fetch)
const viaFetch = toNodeHandler(app.fetch)

// `pnpm soak` (packages/server) reads the handler's counts, memory and live timers (unref'd ones
// included, which Node's own resource list leaves out) here; off by default.
const soakStats = process.env.MCPWIRE_SOAK_STATS === '1'
const liveTimers = new Set<unknown>()
if (soakStats) {
  const { setTimeout: set, clearTimeout: clear } = globalThis
  const counted = (callback: () => void, ms?: number): unknown => {
    const handle = set(() => {
      liveTimers.delete(handle)
      callback()
    }, ms)
    liveTimers.add(handle)
    return handle
  }
  globalThis.setTimeout = counted as unknown as typeof setTimeout
  globalThis.clearTimeout = ((handle: Parameters<typeof clear>[0]) => {
    liveTimers.delete(handle)
    clear(handle)
  }) as typeof clearTimeout
}

const server = createServer((req, res) => {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
  if (soakStats && pathname === '/soak-stats') {
    // `?gc=1` collects first (when Node runs with --expose-gc), so the heap shows what is live.
    const gc = (globalThis as { gc?: () => void }).gc
    if (req.url?.endsWith('?gc=1')) gc?.()
    const body = {
      ...app.mcp.stats(),
      memory: process.memoryUsage(),
      timers: liveTimers.size,
      redisCommands: redisCommands(),
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
    return
  }
  if (!app.servesDirectly(pathname)) {
    viaFetch(req, res)
    return
  }
  // 'close' follows the end of the response, or the client going away.
  if (req.method === 'POST') res.once('close', app.beginPost())
  direct(req, res)
})
await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, hostname, resolve)
})
const address = server.address() as AddressInfo
const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
console.log(listeningLine('node', `http://${host}:${address.port}`))
shutdownOnSignals({
  app,
  closeServer: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  listen: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
})
