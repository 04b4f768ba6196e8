// The Node sample: node:http through @mcpwire/server/node.
import {
  createExampleHandler,
  listenAddress,
  listeningLine,
  shutdownOnSignals,
} from '@mcpwire/app-shared'
import { serve } from '@mcpwire/server/node'

const { hostname, port } = listenAddress(process.env)
const app = createExampleHandler()
const server = await serve({ fetch: app.fetch, hostname, port })
console.log(listeningLine('node', server.url.href))
shutdownOnSignals({
  app,
  closeServer: () => server.close(),
  listen: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
})
