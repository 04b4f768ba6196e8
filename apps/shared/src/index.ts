export type { ExampleHandler } from './example-handler.js'
export {
  createExampleHandler,
  handlerOptions,
  listenAddress,
  listeningLine,
} from './example-handler.js'
export { createExampleServer } from './example-server.js'
export { internalErrorResponse } from './internal-error.js'
export type { ShutdownOptions } from './shutdown.js'
export { shutdownOnSignals } from './shutdown.js'
