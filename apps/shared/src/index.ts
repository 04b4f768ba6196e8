export { withClusterConnection } from './cluster-options.js'
export type { ExampleHandler, ExampleHandlerOptions } from './example-handler.js'
export {
  createExampleHandler,
  handlerOptions,
  listenAddress,
  listeningLine,
} from './example-handler.js'
export type { ExampleServerShared } from './example-server.js'
export { createExampleServer, exampleServerShared } from './example-server.js'
export { internalErrorResponse } from './internal-error.js'
export type { ShutdownOptions } from './shutdown.js'
export { shutdownOnSignals } from './shutdown.js'
