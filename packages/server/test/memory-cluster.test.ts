import { createMemoryCluster } from '../src/index.js'
import { describeClusterContract } from './_cluster-contract.js'
import { FakeTimers } from './_fake-timers.js'

let timers = new FakeTimers()

describeClusterContract('memory', {
  ttlMs: 1000,
  maxEventsPerStream: 80,
  maxEndedStreams: 3,
  async create() {
    timers = new FakeTimers()
    const cluster = createMemoryCluster({ timers, maxEventsPerStream: 80, maxEndedStreams: 3 })
    return { a: cluster, b: cluster }
  },
  async elapse(ms) {
    timers.advance(ms)
  },
})
