// The Node sample: node:http through @mcpwire/server/node.
import { createExampleHandler, listenAddress, listeningLine } from '@mcpwire/app-shared'
import { serve } from '@mcpwire/server/node'

const { hostname, port } = listenAddress(process.env)
const app = createExampleHandler()
const server = await serve({ fetch: app.fetch, hostname, port })
console.log(listeningLine('node', server.url.href))

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`${signal}: closing sessions and streams`)
  await app.close()
  await server.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
