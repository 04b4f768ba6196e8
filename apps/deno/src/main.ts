// The Deno sample: Deno.serve with the shared handler.
import {
  createExampleHandler,
  handlerOptions,
  internalErrorResponse,
  listenAddress,
  listeningLine,
  shutdownOnSignals,
} from '@mcpwire/app-shared'
import { withRedisCluster } from './redis-cluster.js'

declare const Deno: {
  env: { toObject(): Record<string, string> }
  serve(
    options: {
      hostname: string
      port: number
      onListen?: (addr: { hostname: string; port: number }) => void
      onError?: (error: unknown) => Response
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
  exit(code: number): never
}

const env = Deno.env.toObject()
const { hostname, port } = listenAddress(env)
const app = createExampleHandler(await withRedisCluster(env, handlerOptions(env)))
const server = Deno.serve(
  {
    hostname,
    port,
    onListen: (addr) => console.log(listeningLine('deno', `http://${addr.hostname}:${addr.port}`)),
    onError: internalErrorResponse, // JSON, never Deno's plain-text page
  },
  app.fetch,
)
shutdownOnSignals({
  app,
  closeServer: () => server.shutdown(),
  listen: (signal, handler) => Deno.addSignalListener(signal, handler),
  exit: (code) => Deno.exit(code),
})
