import { startCluster } from './_cluster.js'
import { describeClusterScenarios } from './_cluster-scenarios.js'

describeClusterScenarios(
  'cluster mode with the SDK v1 client, round robin over 3 instances (memory backend)',
  (heartbeatMs) => startCluster(3, {}, undefined, heartbeatMs),
)
