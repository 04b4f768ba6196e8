import type { ClusterNode } from './cluster-node.js'

/** The name of the lease on a session's standalone (GET) stream in the session store. */
export const STANDALONE_LEASE = 'get'

/** The outcome of {@link claimStandaloneLease}. */
export type StandaloneClaim =
  /** `holder` holds the lease now. */
  | 'ok'
  /** A live connection elsewhere holds it: answer 409, as one instance does. */
  | 'conflict'
  /** The session is gone: answer 404. */
  | 'gone'

/**
 * Takes the session's standalone-stream lease for `holder` (`<instanceId>/<connection>`), so the
 * session has one GET stream cluster-wide, as the spec allows and one instance enforces. A fresh
 * GET claims it and loses to a live holder; a resume (`Last-Event-ID`) takes it over, since the
 * client left its old connection. A holder whose instance stopped its heartbeat (a graceful
 * shutdown at once, a crash after 3 heartbeats), or a connection of this instance that is no longer
 * open (`localOpen` false), does not count: its lease is taken over. The lease lives 3 heartbeats
 * and the holder's relay renews it every heartbeat, so a dead holder's lease runs out by itself.
 *
 * @param localOpen Whether this instance has an open standalone connection for the session.
 */
export async function claimStandaloneLease(
  node: ClusterNode,
  sessionId: string,
  holder: string,
  resume: boolean,
  localOpen: boolean,
): Promise<StandaloneClaim> {
  const { sessions } = node.backend
  const take = (mode: 'claim' | 'takeover') =>
    node.call(() => sessions.lease(sessionId, STANDALONE_LEASE, holder, node.livenessMs, mode))
  const first = await take(resume ? 'takeover' : 'claim')
  if (first.ok) return 'ok'
  const previous = first.previous
  if (previous === undefined) return 'gone' // only a missing session refuses without a holder
  const instance = previous.slice(0, previous.indexOf('/'))
  const stale =
    instance === node.instanceId ? !localOpen : !(await node.call(() => sessions.isAlive(instance)))
  if (!stale) return 'conflict'
  return (await take('takeover')).ok ? 'ok' : 'gone'
}

/** Lets the lease go if `holder` still holds it; a failure only leaves it to run out. */
export function releaseStandaloneLease(node: ClusterNode, sessionId: string, holder: string): void {
  node
    .call(() => node.backend.sessions.releaseLease(sessionId, STANDALONE_LEASE, holder))
    .catch(() => {})
}
