// A TCP proxy in front of Redis for one connection: the first connection through it goes straight
// on, every later one (a reconnect) waits `delayMs` before it reaches Redis. It gives a subscriber
// killed with `CLIENT KILL` a known time away, whatever its client library's reconnect strategy.
import { createServer, connect as dial, type Socket } from 'node:net'

/** A proxy listening on 127.0.0.1; `url` reaches Redis through it. */
export interface SlowReconnectProxy {
  readonly url: string
  /**
   * The addresses Redis sees for the connections through the proxy now (`CLIENT KILL ADDR`
   * takes them), so a test kills its own connections only, not those of tests running beside it.
   */
  addresses(): string[]
  close(): Promise<void>
}

export async function slowReconnectProxy(
  redisUrl: string,
  delayMs: number,
): Promise<SlowReconnectProxy> {
  const target = new URL(redisUrl)
  const sockets = new Set<Socket>()
  const upstreams = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let connections = 0
  const server = createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    client.pause()
    const forward = () => {
      const upstream = dial(Number(target.port), target.hostname)
      sockets.add(upstream)
      upstream.on('connect', () => upstreams.add(upstream))
      upstream.on('close', () => {
        sockets.delete(upstream)
        upstreams.delete(upstream)
        client.destroy()
      })
      upstream.on('error', () => {})
      client.on('close', () => upstream.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    }
    if (connections++ === 0) return forward()
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!client.destroyed) forward()
    }, delayMs)
    timers.add(timer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `redis://127.0.0.1:${address.port}`,
    addresses: () => [...upstreams].map((s) => `${s.localAddress}:${s.localPort}`),
    async close() {
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
