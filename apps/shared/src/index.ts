export type { ExampleHandler } from './example-handler.js'
export { createExampleHandler, listenAddress, listeningLine } from './example-handler.js'
export { createExampleServer } from './example-server.js'
