import { startCluster } from './_cluster.js'
import { describeClusterLegacyScenarios } from './_cluster-legacy-scenarios.js'
import { describeClusterScenarios } from './_cluster-scenarios.js'

describeClusterScenarios(
  'cluster mode with the SDK v1 client, round robin over 3 instances (memory backend)',
  (heartbeatMs) => startCluster(3, {}, undefined, heartbeatMs),
)

describeClusterLegacyScenarios(
  'legacy HTTP+SSE in cluster mode, SDK v1 SSE client, POSTs round robin over 3 instances (memory backend)',
  (heartbeatMs) => startCluster(3, {}, undefined, heartbeatMs),
)
