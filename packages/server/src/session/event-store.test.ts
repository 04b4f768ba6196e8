import { describe, expect, it } from 'vitest'
import { InMemoryEventStore } from './event-store.js'

const msg = (n: number) => ({ jsonrpc: '2.0' as const, method: 'n', params: { n } })

describe('InMemoryEventStore', () => {
  it('replays only the later events of the id’s own stream, skipping priming events', async () => {
    const store = new InMemoryEventStore()
    const prime = await store.storeEvent('a', {})
    const a1 = await store.storeEvent('a', msg(1))
    await store.storeEvent('b', msg(99))
    await store.storeEvent('a', msg(2))
    const sent: [string, unknown][] = []
    const streamId = await store.replayEventsAfter(prime, {
      send: async (id, message) => {
        sent.push([id, message])
      },
    })
    expect(streamId).toBe('a')
    expect(sent.map(([, m]) => m)).toEqual([msg(1), msg(2)])
    expect(sent[0]?.[0]).toBe(a1)
    expect(await store.getStreamIdForEventId(a1)).toBe('a')
  })

  it('stays bounded: old events and least recently written streams are dropped', async () => {
    const store = new InMemoryEventStore({ maxEventsPerStream: 2, maxStreams: 2 })
    const first = await store.storeEvent('a', msg(1))
    await store.storeEvent('a', msg(2))
    await store.storeEvent('a', msg(3))
    const seen: unknown[] = []
    await store.replayEventsAfter(first, { send: async (_id, m) => void seen.push(m) })
    expect(seen).toEqual([msg(2), msg(3)])
    await store.storeEvent('b', msg(1))
    await store.storeEvent('c', msg(1))
    expect(store.size).toBe(2)
    expect(await store.getStreamIdForEventId(first)).toBeUndefined()
  })

  it('keeps each stream within its own byte bound, counts what it drops and refuses resuming across the gap', async () => {
    const store = new InMemoryEventStore({ maxBytesPerStream: 200 })
    const ids: string[] = []
    for (let n = 1; n <= 20; n++) ids.push(await store.storeEvent('a', msg(n)))
    const other = await store.storeEvent('b', msg(0))
    expect(store.evictedEvents).toBeGreaterThan(0)
    const kept: unknown[] = []
    const last = ids.at(-1)!
    // Resuming from an id whose successors were dropped is refused, not silently short.
    expect(await store.getStreamIdForEventId(ids[0]!)).toBeUndefined()
    await expect(store.replayEventsAfter(ids[0]!, { send: async () => {} })).rejects.toThrow(
      RangeError,
    )
    // From the oldest id still resumable, everything after it comes, in order.
    const firstKept = ids[store.evictedEvents - 1]!
    expect(await store.getStreamIdForEventId(firstKept)).toBe('a')
    await store.replayEventsAfter(firstKept, { send: async (_id, m) => void kept.push(m) })
    expect(kept).toEqual(
      Array.from({ length: 20 - store.evictedEvents }, (_, i) => msg(store.evictedEvents + 1 + i)),
    )
    expect(await store.getStreamIdForEventId(last)).toBe('a')
    expect(await store.getStreamIdForEventId(other)).toBe('b')
  })

  it('never drops one stream’s events because of how many streams others write', async () => {
    const store = new InMemoryEventStore()
    const victim = await store.storeEvent('victim', msg(1))
    await store.storeEvent('victim', msg(2))
    for (let n = 0; n < 20_000; n++) await store.storeEvent(`flood${n}`, msg(n))
    const seen: unknown[] = []
    await store.replayEventsAfter(victim, { send: async (_id, m) => void seen.push(m) })
    expect(seen).toEqual([msg(2)])
    expect(store.evictedStreams).toBe(0)
  })

  it('rejects ids it never minted', async () => {
    const store = new InMemoryEventStore()
    await expect(store.replayEventsAfter('nope', { send: async () => {} })).rejects.toThrow(
      RangeError,
    )
    expect(await store.getStreamIdForEventId('x_0')).toBeUndefined()
    const minted = await store.storeEvent('x', msg(1))
    expect(await store.getStreamIdForEventId(minted.replace('_1', '_2'))).toBeUndefined()
    expect(() => new InMemoryEventStore({ maxStreams: 0 })).toThrow(RangeError)
  })
})
