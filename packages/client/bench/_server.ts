// The benchmark server, in its own process so the client's CPU is measured alone: @mcpwire/server
// on node:http (loopback) with an SDK v1 McpServer. Prints its URL on stdout.
import { startMcpwire } from '../test/_fixture.js'

const server = await startMcpwire({ keepAliveMs: 0 })
console.log(server.url)
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
