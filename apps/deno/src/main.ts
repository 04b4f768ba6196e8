// The Deno sample: Deno.serve with the shared handler.
import { createExampleHandler, listenAddress, listeningLine } from '@mcpwire/app-shared'

declare const Deno: {
  env: { toObject(): Record<string, string> }
  serve(
    options: {
      hostname: string
      port: number
      onListen?: (addr: { hostname: string; port: number }) => void
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void>; finished: Promise<void> }
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void
  exit(code: number): never
}

const { hostname, port } = listenAddress(Deno.env.toObject())
const app = createExampleHandler()
const server = Deno.serve(
  {
    hostname,
    port,
    onListen: (addr) => console.log(listeningLine('deno', `http://${addr.hostname}:${addr.port}`)),
  },
  app.fetch,
)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`${signal}: closing sessions and streams`)
  await app.close()
  await server.shutdown()
  Deno.exit(0)
}
Deno.addSignalListener('SIGINT', () => void stop('SIGINT'))
Deno.addSignalListener('SIGTERM', () => void stop('SIGTERM'))
