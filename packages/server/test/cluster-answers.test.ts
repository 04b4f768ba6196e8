// Answers and cancels that cross instances while the bus loses them: the instance that got the POST
// stores them in the session's mailbox before it publishes them, and the waiter takes them after
// its bus reconnects, or at its next heartbeat.
import { afterEach, describe, expect, it } from 'vitest'
import { type ClusterBackend, type ClusterBus, createMemoryCluster } from '../src/index.js'
import { hangs, sseReader, startCluster, type TestCluster } from './_cluster.js'
import { askOnFirst, headers, openElicitingSession } from './_cluster-elicitation.js'
import { post } from './_requests.js'

let cluster: TestCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
})

/**
 * A bus that loses (`'drop'`) or holds back (`'hold'`) every message published while it is
 * "disconnected", as Redis pub/sub does while a subscriber reconnects.
 */
class LossyBus implements ClusterBus {
  mode: 'up' | 'drop' | 'hold' = 'up'
  readonly held: (() => Promise<unknown>)[] = []
  readonly #inner: ClusterBus
  readonly #reconnected = new Set<() => void>()

  constructor(inner: ClusterBus) {
    this.#inner = inner
  }

  async publish(topic: string, payload: string): Promise<number | undefined> {
    if (this.mode === 'drop') return 0
    if (this.mode === 'hold') {
      this.held.push(() => this.#inner.publish(topic, payload))
      return 0
    }
    return this.#inner.publish(topic, payload)
  }

  subscribe(topic: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#inner.subscribe(topic, listener)
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnected.add(listener)
    return () => this.#reconnected.delete(listener)
  }

  /** Back up; with `tell`, the reconnect is reported as a real client reports it. */
  reconnect(tell: boolean): void {
    this.mode = 'up'
    if (tell) for (const listener of this.#reconnected) listener()
  }
}

function setUp(heartbeatMs: number): { bus: LossyBus; backend: ClusterBackend; errors: unknown[] } {
  const memory = createMemoryCluster()
  const bus = new LossyBus(memory.bus)
  const backend = { ...memory, bus }
  const errors: unknown[] = []
  cluster = startCluster(2, { onerror: (error) => errors.push(error) }, backend, heartbeatMs)
  return { bus, backend, errors }
}

describe('cluster mode: answers and cancels the bus lost', () => {
  it('an answer published while the waiter was disconnected reaches the tool after the reconnect, once', async () => {
    const { bus, backend, errors } = setUp(60_000)
    const sessionId = await openElicitingSession(cluster!)
    const { stream, requestId, answer } = await askOnFirst(cluster!, sessionId)
    bus.mode = 'drop'
    expect((await cluster!.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
    await new Promise((resolve) => setTimeout(resolve, 20))
    bus.reconnect(true)
    const result = JSON.parse((await stream.next())!.data)
    expect(result.id).toBe(2)
    expect(result.result.content[0].text).toBe('i0:{"name":"Ada"}')
    expect(await stream.next()).toBeUndefined()
    // Taken: nothing is left to deliver twice.
    expect(await backend.sessions.takeAnswers!(sessionId, [`s${requestId}`])).toEqual(new Map())
    expect(errors).toEqual([])
  })

  it('without a reconnect report, the waiter takes the answer at its next heartbeat', async () => {
    const { bus } = setUp(100)
    const sessionId = await openElicitingSession(cluster!)
    const { stream, answer } = await askOnFirst(cluster!, sessionId)
    bus.mode = 'drop'
    expect((await cluster!.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
    bus.reconnect(false)
    const result = JSON.parse((await stream.next())!.data)
    expect(result.result.content[0].text).toBe('i0:{"name":"Ada"}')
  })

  it('an answer both stored and published late is delivered once', async () => {
    const { bus, backend, errors } = setUp(60_000)
    const sessionId = await openElicitingSession(cluster!)
    const { stream, requestId, answer } = await askOnFirst(cluster!, sessionId)
    bus.mode = 'hold'
    expect((await cluster!.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
    bus.reconnect(true) // the waiter takes the stored copy
    const result = JSON.parse((await stream.next())!.data)
    expect(result.result.content[0].text).toBe('i0:{"name":"Ada"}')
    // The held publication arrives now: the waiter no longer awaits it, and drops it.
    await bus.held.shift()!()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await stream.next()).toBeUndefined()
    expect(await backend.sessions.takeAnswers!(sessionId, [`s${requestId}`])).toEqual(new Map())
    expect(errors).toEqual([])
  })

  it('a live answer is taken from the mailbox too', async () => {
    const { backend } = setUp(60_000)
    const sessionId = await openElicitingSession(cluster!)
    const { stream, requestId, answer } = await askOnFirst(cluster!, sessionId)
    expect((await cluster!.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
    expect(JSON.parse((await stream.next())!.data).id).toBe(2)
    // The waiter deletes the stored copy once it delivered the live one.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await backend.sessions.takeAnswers!(sessionId, [`s${requestId}`])).toEqual(new Map())
  })

  it('a cancel published while the instance running the request was disconnected stops it after the reconnect', async () => {
    const { bus } = setUp(60_000)
    const sessionId = await openElicitingSession(cluster!)
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'hang', arguments: {}, _meta: { progressToken: 'h' } },
    })
    const stream = sseReader(await cluster!.fetchOn(0, post(call, headers(sessionId))))
    await stream.next() // priming
    await stream.next() // progress: the tool runs
    bus.mode = 'drop'
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'changed my mind' },
    })
    expect((await cluster!.fetchOn(1, post(cancel, headers(sessionId)))).status).toBe(202)
    bus.reconnect(true)
    expect(await stream.next()).toBeUndefined() // no response follows; the stream ends
    expect(hangs.waiting).toHaveLength(1) // the tool itself never answered
  })
})
