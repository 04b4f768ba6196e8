export { clusterSuite } from './cluster-suite.js'
export { smokeSuite } from './smoke-suite.js'
export type { RunningApp, Runtime } from './start-app.js'
export { RUNTIMES, startApp } from './start-app.js'
