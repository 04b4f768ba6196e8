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

  it('rejects ids it never minted', async () => {
    const store = new InMemoryEventStore()
    await expect(store.replayEventsAfter('nope', { send: async () => {} })).rejects.toThrow(
      RangeError,
    )
    expect(await store.getStreamIdForEventId('x_0')).toBeUndefined()
    expect(() => new InMemoryEventStore({ maxStreams: 0 })).toThrow(RangeError)
  })
})
