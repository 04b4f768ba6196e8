import type { ClusterLegacySessions } from './cluster/cluster-legacy-sessions.js'
import type { ClusterNode } from './cluster/cluster-node.js'
import type { ClusterSessions } from './cluster/cluster-sessions.js'
import type { Metrics } from './metrics.js'
import type { AuthInfo, ResolvedOptions } from './options.js'
import type { SessionRegistry } from './session/session-registry.js'

/** What every route handler needs: the options, the counters and the sessions. */
export interface HandlerContext {
  readonly options: ResolvedOptions
  readonly metrics: Metrics
  readonly sessions: SessionRegistry
  /**
   * In cluster mode: this instance's part in the cluster, the shared Streamable HTTP sessions,
   * and the legacy sessions (owned here, or forwarded to their owner).
   */
  readonly cluster?:
    | {
        readonly node: ClusterNode
        readonly sessions: ClusterSessions
        readonly legacy: ClusterLegacySessions
      }
    | undefined
  /** Set by the handler's `close()`: the `modern` delegate is closed and takes no more requests. */
  readonly lifecycle: { closed: boolean }
}

/** Who sent a request, as `authenticate` decided. */
export interface Caller {
  readonly principal: string
  readonly authInfo: AuthInfo | undefined
}
