// The Bun sample: Bun.serve with the shared handler.
import {
  createExampleHandler,
  handlerOptions,
  internalErrorResponse,
  listenAddress,
  listeningLine,
  shutdownOnSignals,
} from '@mcpwire/app-shared'
import { withRedisCluster } from './redis-cluster.js'

declare const Bun: {
  env: Record<string, string | undefined>
  serve(options: {
    hostname: string
    port: number
    fetch: (request: Request) => Response | Promise<Response>
    development: boolean
    error: (error: Error) => Response
  }): { url: URL; stop(closeActiveConnections?: boolean): Promise<void> }
}

const { hostname, port } = listenAddress(Bun.env)
const app = createExampleHandler(await withRedisCluster(Bun.env, handlerOptions(Bun.env)))
// Bun closes a connection after 10 s without traffic; the handler's keep-alive comments (every
// 5 s by default) keep quiet event streams open, so Bun's default idleTimeout is left as it is.
// development: false, and errors answered as JSON: Bun's development error page would send the
// client a stack trace and server paths.
const server = Bun.serve({
  hostname,
  port,
  fetch: app.fetch,
  development: false,
  error: internalErrorResponse,
})
console.log(listeningLine('bun', server.url.href))
shutdownOnSignals({
  app,
  closeServer: () => server.stop(true),
  listen: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
})
