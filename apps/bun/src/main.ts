// The Bun sample: Bun.serve with the shared handler.
import { createExampleHandler, listenAddress, listeningLine } from '@mcpwire/app-shared'

declare const Bun: {
  env: Record<string, string | undefined>
  serve(options: {
    hostname: string
    port: number
    idleTimeout?: number
    fetch: (request: Request) => Response | Promise<Response>
  }): { url: URL; stop(closeActiveConnections?: boolean): Promise<void> }
}

const { hostname, port } = listenAddress(Bun.env)
const app = createExampleHandler()
// Bun closes a connection after 10 s without traffic; the handler's keep-alive comments (every
// 5 s by default) keep quiet event streams open, so Bun's default idleTimeout is left as it is.
const server = Bun.serve({ hostname, port, fetch: app.fetch })
console.log(listeningLine('bun', server.url.href))

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`${signal}: closing sessions and streams`)
  await app.close()
  await server.stop(true)
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
