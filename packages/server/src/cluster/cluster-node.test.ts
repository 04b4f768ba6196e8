import { describe, expect, it } from 'vitest'
import { globalTimers } from '../timers.js'
import type { ClusterBus } from './cluster-bus.js'
import { ClusterNode, type StreamTail } from './cluster-node.js'
import { createMemoryCluster } from './memory-cluster.js'

/** A memory bus that can pretend its subscriber connection came back. */
function reconnectingBus(bus: ClusterBus): { bus: ClusterBus; reconnect: () => void } {
  const listeners = new Set<() => void>()
  return {
    bus: {
      publish: (topic, payload) => bus.publish(topic, payload),
      subscribe: (topic, listener) => bus.subscribe(topic, listener),
      onReconnect(listener) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    },
    reconnect: () => {
      for (const listener of [...listeners]) listener()
    },
  }
}

function tail(streamId: string): StreamTail & { nudges: number } {
  return {
    streamId,
    connectionId: crypto.randomUUID(),
    nudges: 0,
    nudge() {
      this.nudges++
    },
    close() {},
  }
}

describe('ClusterNode', () => {
  it('nudges every relayed stream when the bus reconnects, so lost nudges are read from the store', async () => {
    const backend = createMemoryCluster()
    const { bus, reconnect } = reconnectingBus(backend.bus)
    const node = new ClusterNode({ ...backend, bus, heartbeatMs: 60_000 }, globalTimers, () => {})
    node.start()
    const a = tail('s1.g')
    const b = tail('s2.x1')
    node.addTail(a)
    node.addTail(b)
    reconnect()
    expect([a.nudges, b.nudges]).toEqual([1, 1])
    node.removeTail(b)
    reconnect()
    expect([a.nudges, b.nudges]).toEqual([2, 1])
    await node.stop()
    reconnect()
    expect(a.nudges).toBe(2) // a stopped node no longer listens
  })
})
