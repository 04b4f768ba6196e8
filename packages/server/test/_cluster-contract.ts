// The contract every cluster backend keeps: sessions, events and bus. It runs against the memory
// backend here and against Redis in @mcpwire/redis, so both behave the same for the core.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ClusterBackend, McpMessage, SessionRecord } from '../src/index.js'
import {
  clusterStreamId,
  MAX_STORED_ANSWER_BYTES,
  MAX_STORED_ANSWERS,
  requestKey,
} from '../src/index.js'
import { waitFor } from './_wait-for.js'

/** How the contract drives one backend. */
export interface ClusterHarness {
  /** Two instances' views of one fresh, empty backend. */
  create(): Promise<{ a: ClusterBackend; b: ClusterBackend }>
  /** Lets `ms` pass on the backend's clock. */
  elapse(ms: number): Promise<void>
  /**
   * The idle TTL the tests use; `elapse` of twice this must expire anything. On a real clock, keep
   * it well above a round trip under load: a touch must land within 0.7 of it.
   */
  readonly ttlMs: number
  /** The backend's `maxEventsPerStream` (over 65, so that replays take two pages) and `maxEndedStreams`. */
  readonly maxEventsPerStream: number
  readonly maxEndedStreams: number
  /** Stored keys left under a session, where the backend can count them. */
  keysOf?(sessionId: string): Promise<number>
  /** Closes what `create` opened. */
  destroy?(): Promise<void>
}

const result = (id: number | string): McpMessage => ({ jsonrpc: '2.0', id, result: { n: id } })
const failure = (id: number): McpMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code: -32603, message: 'Request interrupted' },
})
const progress = (n: number): McpMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: n },
})

function newRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: crypto.randomUUID(),
    principal: 'alice',
    kind: 'streamable',
    protocolVersion: '2025-11-25',
    replay: {
      initialize: '{"protocolVersion":"2025-11-25"}',
      initialized: false,
      subscriptions: [],
    },
    replayVersion: 1,
    ...overrides,
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('Expected a rejection')
}

/** Registers the contract's tests for one backend. */
export function describeClusterContract(name: string, harness: ClusterHarness): void {
  describe(`cluster contract: ${name}`, () => {
    let a: ClusterBackend
    let b: ClusterBackend
    const ttl = harness.ttlMs
    const long = 60_000

    beforeEach(async () => {
      ;({ a, b } = await harness.create())
    })
    afterEach(async () => {
      await harness.destroy?.()
    })

    async function openSession(ttlMs = long): Promise<SessionRecord> {
      const record = newRecord()
      expect(await a.sessions.create(record, ttlMs)).toBe(true)
      return record
    }

    describe('sessions', () => {
      it('create() is set-if-absent and get() returns the record on every instance', async () => {
        const record = newRecord({ owner: 'a1' })
        expect(await a.sessions.create(record, long)).toBe(true)
        expect(await b.sessions.create({ ...record, principal: 'mallory' }, long)).toBe(false)
        expect(await b.sessions.get(record.id)).toEqual(record)
        expect(await b.sessions.get(crypto.randomUUID())).toBeUndefined()
      })

      it('a session expires after its idle TTL unless touched', async () => {
        const kept = await openSession(ttl)
        const idle = await openSession(ttl)
        // Touched early with a long TTL, `kept` outlives `idle`; then a short touch lets it expire.
        await harness.elapse(ttl * 0.3)
        expect(await b.sessions.touch(kept.id, long)).toBe(1)
        await harness.elapse(ttl)
        expect(await b.sessions.get(idle.id)).toBeUndefined()
        expect(await b.sessions.touch(idle.id, ttl)).toBe('gone')
        expect(await b.sessions.get(kept.id)).toBeDefined()
        expect(await b.sessions.touch(kept.id, ttl)).toBe(1)
        await harness.elapse(ttl * 2)
        expect(await a.sessions.touch(kept.id, ttl)).toBe('gone')
      })

      it('touch() claims request ids atomically: a duplicate claims nothing', async () => {
        const { id } = await openSession()
        const claim = (...ids: number[]) => ({ instance: 'a1', requestIds: ids.map(requestKey) })
        expect(await a.sessions.touch(id, long, claim(1, 2))).toBe(1)
        expect(await b.sessions.touch(id, long, claim(2, 3))).toBe('duplicate')
        expect(await b.sessions.touch(id, long, claim(3))).toBe(1)
        expect(await b.sessions.touch(id, long, claim(4, 4))).toBe('duplicate')
        expect(await b.sessions.touch(id, long, claim(4))).toBe(1)
        expect(
          await b.sessions.touch(id, long, { instance: 'b1', requestIds: [requestKey('1')] }),
        ).toBe(1)
        expect(await b.sessions.touch(crypto.randomUUID(), long, claim(9))).toBe('gone')
      })

      it('updateReplay() is a compare-and-set that touch() and get() report', async () => {
        const { id } = await openSession()
        const replay = {
          initialize: '{"protocolVersion":"2025-11-25","capabilities":{}}',
          initialized: true,
          logLevel: '{"level":"warning"}',
          subscriptions: ['file:///a', 'file:///b'],
        }
        expect(await b.sessions.updateReplay(id, replay, 1)).toBe(2)
        expect(await a.sessions.updateReplay(id, { ...replay, initialized: false }, 1)).toBe(
          undefined,
        )
        expect(await a.sessions.touch(id, long)).toBe(2)
        const got = await a.sessions.get(id)
        expect(got?.replay).toEqual(replay)
        expect(got?.replayVersion).toBe(2)
        const cleared = { initialize: '{}', initialized: true, subscriptions: [] }
        expect(await a.sessions.updateReplay(id, cleared, 2)).toBe(3)
        expect((await b.sessions.get(id))?.replay).toEqual(cleared)
        expect(await a.sessions.updateReplay(crypto.randomUUID(), cleared, 1)).toBeUndefined()
      })

      it('leases: claim, renew, takeover and release', async () => {
        const { id } = await openSession()
        const lease = (holder: string, mode: 'claim' | 'renew' | 'takeover') =>
          a.sessions.lease(id, 'get', holder, long, mode)
        expect(await lease('a/1', 'claim')).toEqual({ ok: true })
        expect(await lease('a/1', 'claim')).toEqual({ ok: true })
        expect(await b.sessions.lease(id, 'get', 'b/1', long, 'claim')).toEqual({
          ok: false,
          previous: 'a/1',
        })
        expect(await lease('a/1', 'renew')).toEqual({ ok: true })
        expect(await lease('b/1', 'renew')).toEqual({ ok: false, previous: 'a/1' })
        expect(await lease('b/1', 'takeover')).toEqual({ ok: true, previous: 'a/1' })
        expect((await lease('a/1', 'renew')).ok).toBe(false)
        await a.sessions.releaseLease(id, 'get', 'a/1')
        expect(await lease('c/1', 'claim')).toEqual({ ok: false, previous: 'b/1' })
        await b.sessions.releaseLease(id, 'get', 'b/1')
        expect(await lease('c/1', 'claim')).toEqual({ ok: true })
        expect(await a.sessions.lease(id, 'other', 'd/1', long, 'claim')).toEqual({ ok: true })
        expect(await a.sessions.lease(crypto.randomUUID(), 'get', 'a/1', long, 'takeover')).toEqual(
          { ok: false },
        )
      })

      it('a lease runs out after its TTL', async () => {
        const { id } = await openSession()
        expect((await a.sessions.lease(id, 'get', 'a/1', ttl, 'claim')).ok).toBe(true)
        await harness.elapse(ttl * 2)
        expect(await b.sessions.lease(id, 'get', 'b/1', ttl, 'claim')).toEqual({ ok: true })
      })

      it('heartbeats: alive until the TTL runs out or a zero TTL ends them', async () => {
        const one = `i${crypto.randomUUID().slice(0, 8)}`
        const two = `j${crypto.randomUUID().slice(0, 8)}`
        await a.sessions.heartbeat(one, ttl)
        await a.sessions.heartbeat(two, long)
        expect(await b.sessions.isAlive(one)).toBe(true)
        expect(await b.sessions.isAlive(`k${one}`)).toBe(false)
        await harness.elapse(ttl * 2)
        expect(await b.sessions.isAlive(one)).toBe(false)
        expect(await b.sessions.isAlive(two)).toBe(true)
        await a.sessions.heartbeat(two, 0)
        expect(await b.sessions.isAlive(two)).toBe(false)
      })

      it('delete() removes the record, its leases, ids in flight and streams', async () => {
        const { id } = await openSession()
        const stream = clusterStreamId(id, 'p1')
        await a.sessions.touch(id, long, { instance: 'a1', requestIds: [requestKey(1)] })
        await a.events.open(stream, { producer: 'a1', pending: [requestKey(1)] }, {}, 'a1', 1, long)
        await a.events.storeEvent(clusterStreamId(id, 'g'), progress(1))
        await a.sessions.lease(id, 'get', 'a/1', long, 'claim')
        const answer = JSON.stringify(result('w.1'))
        expect(await b.sessions.storeAnswer!(id, requestKey('w.1'), answer, long)).toBe(true)
        expect(await b.sessions.delete(id)).toBe(true)
        expect(await b.sessions.delete(id)).toBe(false)
        expect(await a.sessions.get(id)).toBeUndefined()
        expect(await a.sessions.touch(id, long)).toBe('gone')
        expect(await a.events.info(stream)).toBeUndefined()
        expect((await rejection(a.events.append(stream, progress(2), 'a1', 2))).name).toBe(
          'StreamEndedError',
        )
        expect((await rejection(a.events.read(stream, null, 10))).name).toBe('RangeError')
        if (harness.keysOf !== undefined) expect(await harness.keysOf(id)).toBe(0)
        expect(await a.sessions.create(newRecord({ id }), long)).toBe(true)
        expect(await a.sessions.lease(id, 'get', 'b/1', long, 'claim')).toEqual({ ok: true })
        expect(await a.sessions.touch(id, long, { instance: 'a1', requestIds: ['n1'] })).toBe(1)
        expect(await a.sessions.takeAnswers!(id, [requestKey('w.1')])).toEqual(new Map())
      })
    })

    describe('mailbox', () => {
      const answer = (id: string) => JSON.stringify(result(id))

      it('storeAnswer() keeps a message that takeAnswers() hands out once, on any instance', async () => {
        const { id } = await openSession()
        const [one, two, absent] = [requestKey('w.1'), requestKey('w.2'), requestKey('w.3')]
        expect(await b.sessions.storeAnswer!(id, one, answer('w.1'), long)).toBe(true)
        expect(await b.sessions.storeAnswer!(id, two, answer('w.2'), long)).toBe(true)
        expect(await a.sessions.takeAnswers!(id, [one, absent])).toEqual(
          new Map([[one, answer('w.1')]]),
        )
        expect(await b.sessions.takeAnswers!(id, [one, two])).toEqual(
          new Map([[two, answer('w.2')]]),
        )
        expect(await a.sessions.takeAnswers!(id, [one, two])).toEqual(new Map())
        expect(await a.sessions.takeAnswers!(id, [])).toEqual(new Map())
        const other = await openSession()
        await a.sessions.storeAnswer!(id, one, answer('w.1'), long)
        expect(await b.sessions.takeAnswers!(other.id, [one])).toEqual(new Map())
        const gone = crypto.randomUUID()
        expect(await a.sessions.storeAnswer!(gone, one, answer('w.1'), long)).toBe(false)
        expect(await a.sessions.takeAnswers!(gone, [one])).toEqual(new Map())
      })

      it('a stored message runs out after its TTL (with its session: see the streams test)', async () => {
        const { id } = await openSession()
        const [short, kept] = [requestKey('w.1'), requestKey('w.2')]
        await a.sessions.storeAnswer!(id, short, answer('w.1'), Math.round(ttl / 4))
        await a.sessions.storeAnswer!(id, kept, answer('w.2'), long)
        await harness.elapse(ttl / 2)
        expect(await b.sessions.takeAnswers!(id, [short, kept])).toEqual(
          new Map([[kept, answer('w.2')]]),
        )
      })

      it(`a mailbox keeps at most ${MAX_STORED_ANSWERS}: one more drops the one that runs out first`, async () => {
        const { id } = await openSession()
        const keys = Array.from({ length: MAX_STORED_ANSWERS + 1 }, (_, n) => requestKey(`w.${n}`))
        await a.sessions.storeAnswer!(id, keys[1]!, answer('w.1'), long / 2)
        await a.sessions.storeAnswer!(id, keys[0]!, answer('w.0'), long)
        for (let n = 2; n <= MAX_STORED_ANSWERS; n++) {
          await a.sessions.storeAnswer!(id, keys[n]!, answer(`w.${n}`), long)
        }
        const taken = await b.sessions.takeAnswers!(id, keys)
        expect(taken.size).toBe(MAX_STORED_ANSWERS)
        expect(taken.has(keys[1]!)).toBe(false)
        expect(taken.get(keys[0]!)).toBe(answer('w.0'))
        expect(taken.get(keys[MAX_STORED_ANSWERS]!)).toBe(answer(`w.${MAX_STORED_ANSWERS}`))
        // Storing under a key already there replaces it.
        await a.sessions.storeAnswer!(id, keys[0]!, answer('w.0'), long)
        await a.sessions.storeAnswer!(id, keys[0]!, answer('w.0b'), long)
        expect(await b.sessions.takeAnswers!(id, keys)).toEqual(
          new Map([[keys[0]!, answer('w.0b')]]),
        )
      })
      it(`a mailbox keeps at most ${MAX_STORED_ANSWER_BYTES} bytes: more drops what runs out first`, async () => {
        const { id } = await openSession()
        const big = (n: number) =>
          `"${String(n).repeat(Math.floor(MAX_STORED_ANSWER_BYTES * 0.6))}"`
        const [one, two, three] = [requestKey('w.1'), requestKey('w.2'), requestKey('w.3')]
        expect(await a.sessions.storeAnswer!(id, one, big(1), long / 2)).toBe(true)
        expect(await a.sessions.storeAnswer!(id, two, big(2), long)).toBe(true)
        expect(await a.sessions.storeAnswer!(id, three, `${big(3)}${big(3)}`, long)).toBe(false)
        expect(await b.sessions.takeAnswers!(id, [one, two, three])).toEqual(
          new Map([[two, big(2)]]),
        )
      })
    })

    describe('events', () => {
      it('open(), append() and read() on another instance, oldest first', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p1')
        const first = await a.events.open(
          s,
          { producer: 'a1', pending: [requestKey(1)] },
          {},
          'a1',
          1,
          long,
        )
        expect(first).toBe(`${s}_1`)
        expect(await a.events.append(s, progress(1), 'a1', 2)).toBe(`${s}_2`)
        expect(await a.events.append(s, progress(2), 'a1', 3)).toBe(`${s}_3`)
        expect(await b.events.read(s, null, 10)).toEqual({
          events: [
            { id: `${s}_1`, message: {} },
            { id: `${s}_2`, message: progress(1) },
            { id: `${s}_3`, message: progress(2) },
          ],
          ended: false,
        })
        expect(await b.events.info(s)).toEqual({
          sessionId: id,
          producer: 'a1',
          pending: [requestKey(1)],
          ended: false,
        })
        expect(await b.events.info(clusterStreamId(id, 'nope'))).toBeUndefined()
      })

      it('open() needs a live session', async () => {
        const s = clusterStreamId(crypto.randomUUID(), 'p1')
        const error = await rejection(a.events.open(s, { pending: [] }, {}, 'a1', 1, long))
        expect(error.name).toBe('StreamEndedError')
        expect(await a.events.info(s)).toBeUndefined()
      })

      it('append() is idempotent per (producer, seq) and refuses an older seq', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        await a.events.open(s, { pending: [] }, {}, 'a1', 1, long)
        const once = await a.events.append(s, progress(1), 'a1', 2)
        expect(await b.events.append(s, progress(1), 'a1', 2)).toBe(once)
        const other = await b.events.append(s, progress(9), 'b1', 2)
        expect(other).not.toBe(once)
        expect(await b.events.open(s, { pending: [] }, progress(3), 'a1', 3, long)).toBe(`${s}_4`)
        expect((await rejection(a.events.append(s, progress(2), 'a1', 2))).name).toBe('RangeError')
        const { events } = await a.events.read(s, null, 10)
        expect(events.map((event) => event.message)).toEqual([
          {},
          progress(1),
          progress(9),
          progress(3),
        ])
      })

      it('read() pages strictly after a cursor, up to a limit', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        await a.events.open(s, { pending: [] }, progress(1), 'a1', 1, long)
        for (let n = 2; n <= 10; n++) await a.events.append(s, progress(n), 'a1', n)
        const page = await b.events.read(s, `${s}_3`, 4)
        expect(page.events.map((event) => event.id)).toEqual([4, 5, 6, 7].map((n) => `${s}_${n}`))
        expect(page.events[0]?.message).toEqual(progress(4))
        expect(await b.events.read(s, `${s}_10`, 4)).toEqual({ events: [], ended: false })
        const other = clusterStreamId(id, 'p2')
        expect((await rejection(b.events.read(s, `${other}_1`, 4))).name).toBe('RangeError')
        expect((await rejection(b.events.read(other, null, 4))).name).toBe('RangeError')
        expect((await rejection(b.events.read(s, null, 0))).name).toBe('RangeError')
      })

      it('end() stores the last messages and the end marker, and releases request ids', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p1')
        const keys = [requestKey(1), requestKey(2)]
        expect(await a.sessions.touch(id, long, { instance: 'a1', requestIds: keys })).toBe(1)
        await a.events.open(s, { producer: 'a1', pending: keys }, {}, 'a1', 1, long)
        await a.events.append(s, result(1), 'a1', 2)
        expect((await b.events.info(s))?.pending).toEqual([requestKey(2)])
        expect(await b.sessions.touch(id, long, { instance: 'b1', requestIds: [keys[0]!] })).toBe(1)
        expect(await b.sessions.touch(id, long, { instance: 'b1', requestIds: [keys[1]!] })).toBe(
          'duplicate',
        )
        expect(await a.events.end(s, [progress(1), result(2)], 'a1', 3)).toEqual([
          `${s}_3`,
          `${s}_4`,
        ])
        expect(await b.sessions.touch(id, long, { instance: 'b1', requestIds: [keys[1]!] })).toBe(1)
        expect(await b.events.info(s)).toEqual({
          sessionId: id,
          producer: 'a1',
          pending: [],
          ended: true,
        })
        const all = await b.events.read(s, null, 10)
        expect(all.ended).toBe(true)
        expect(all.events.at(-1)).toEqual({ id: `${s}_4`, message: result(2) })
        expect(await b.events.read(s, null, 3)).toMatchObject({ ended: false })
        expect(await b.events.read(s, `${s}_3`, 3)).toMatchObject({ ended: true })
        expect(await b.events.read(s, `${s}_4`, 3)).toEqual({ events: [], ended: true })
      })

      it('fencing: after end() only the very same end() call is answered', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p1')
        await a.events.open(s, { producer: 'a1', pending: [requestKey(1)] }, {}, 'a1', 1, long)
        const ids = await a.events.end(s, [result(1)], 'a1', 2)
        expect(await a.events.end(s, [result(1)], 'a1', 2)).toEqual(ids)
        expect((await rejection(a.events.append(s, progress(1), 'a1', 3))).name).toBe(
          'StreamEndedError',
        )
        expect((await rejection(b.events.append(s, progress(1), 'b1', 1))).name).toBe(
          'StreamEndedError',
        )
        expect((await rejection(b.events.end(s, [failure(1)], 'b1', 1))).name).toBe(
          'StreamEndedError',
        )
        const { events } = await a.events.read(s, null, 10)
        expect(events.map((event) => event.message)).toEqual([{}, result(1)])
      })

      it('end() refuses an older seq and leaves the stream open', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p1')
        await a.events.open(s, { producer: 'a1', pending: [] }, {}, 'a1', 1, long)
        await a.events.append(s, progress(1), 'a1', 2)
        await a.events.append(s, progress(2), 'a1', 3)
        expect((await rejection(b.events.end(s, [progress(3)], 'a1', 2))).name).toBe('RangeError')
        expect((await b.events.info(s))?.ended).toBe(false)
        expect(await b.events.end(s, [progress(3)], 'a1', 4)).toEqual([`${s}_4`])
        const { events } = await a.events.read(s, null, 10)
        expect(events.map((event) => event.message)).toEqual([
          {},
          progress(1),
          progress(2),
          progress(3),
        ])
      })

      it('a reaper that ends a stream skips answers the producer already stored', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p1')
        const keys = [requestKey(1), requestKey(2)]
        await a.events.open(s, { producer: 'a1', pending: keys }, {}, 'a1', 1, long)
        await a.events.append(s, result(1), 'a1', 2)
        const ids = await b.events.end(s, [failure(1), failure(2)], 'b1', 1)
        expect(ids).toEqual([null, `${s}_3`])
        const { events, ended } = await a.events.read(s, null, 10)
        expect(ended).toBe(true)
        expect(events.map((event) => event.message)).toEqual([{}, result(1), failure(2)])
        expect((await rejection(a.events.append(s, result(2), 'a1', 3))).name).toBe(
          'StreamEndedError',
        )
      })

      it('end() stores one answer per request: a second answer to the same id is skipped', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'p2')
        await a.events.open(s, { producer: 'a1', pending: [requestKey(1)] }, {}, 'a1', 1, long)
        const ids = await b.events.end(s, [failure(1), result(1)], 'b1', 1)
        expect(ids).toEqual([`${s}_2`, null])
        const { events } = await a.events.read(s, null, 10)
        expect(events.map((event) => event.message)).toEqual([{}, failure(1)])
      })

      it(`a stream keeps only its newest events (maxEventsPerStream)`, async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        const max = harness.maxEventsPerStream
        await a.events.open(s, { pending: [] }, progress(1), 'a1', 1, long)
        for (let n = 2; n <= max + 5; n++) await a.events.append(s, progress(n), 'a1', n)
        const { events } = await b.events.read(s, null, max + 10)
        expect(events).toHaveLength(max)
        expect(events[0]?.id).toBe(`${s}_6`)
        expect(events.at(-1)?.message).toEqual(progress(max + 5))
        // A cursor just before the oldest kept event still reads on; an older one has a gap.
        expect((await b.events.read(s, `${s}_5`, 1)).events[0]?.id).toBe(`${s}_6`)
        expect((await rejection(b.events.read(s, `${s}_4`, 1))).name).toBe('RangeError')
        expect(await b.events.getStreamIdForEventId?.(`${s}_5`)).toBe(s)
        expect(await b.events.getStreamIdForEventId?.(`${s}_1`)).toBeUndefined()
        const send = async () => {}
        expect((await rejection(b.events.replayEventsAfter(`${s}_2`, { send }))).name).toBe(
          'RangeError',
        )
      })

      it('a session keeps only its newest ended streams (maxEndedStreams)', async () => {
        const { id } = await openSession()
        const count = harness.maxEndedStreams + 2
        const streams = Array.from({ length: count }, (_, n) => clusterStreamId(id, `p${n}`))
        for (const s of streams) {
          await a.events.open(s, { producer: 'a1', pending: [] }, {}, 'a1', 1, long)
          await a.events.end(s, [], 'a1', 2)
        }
        const live = clusterStreamId(id, 'live')
        await a.events.open(live, { producer: 'a1', pending: [] }, {}, 'a1', 1, long)
        const kept = await Promise.all(
          streams.map(async (s) => (await b.events.info(s)) !== undefined),
        )
        expect(kept).toEqual(streams.map((_, n) => n >= 2))
        expect(await b.events.info(live)).toBeDefined()
      })

      it('deleteStream() forgets a stream', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        await a.events.open(s, { pending: [] }, {}, 'a1', 1, long)
        await b.events.deleteStream(s)
        expect(await a.events.info(s)).toBeUndefined()
        expect((await rejection(a.events.read(s, null, 1))).name).toBe('RangeError')
        expect((await rejection(a.events.append(s, progress(1), 'a1', 2))).name).toBe(
          'StreamEndedError',
        )
      })

      it('streams live as long as their session is touched, then expire with it', async () => {
        const { id } = await openSession(ttl)
        const s = clusterStreamId(id, 'g')
        await a.events.open(s, { pending: [] }, {}, 'a1', 1, ttl)
        await harness.elapse(ttl * 0.3)
        expect(await b.sessions.touch(id, long)).toBe(1)
        await harness.elapse(ttl)
        expect(await b.events.info(s)).toBeDefined()
        expect(await b.sessions.touch(id, ttl)).toBe(1)
        // A stored answer, however long its own TTL, goes with the session.
        await a.sessions.storeAnswer!(id, requestKey('w.1'), JSON.stringify(result('w.1')), long)
        await harness.elapse(ttl * 2)
        expect(await b.events.info(s)).toBeUndefined()
        if (harness.keysOf !== undefined) expect(await harness.keysOf(id)).toBe(0)
        expect(await a.sessions.takeAnswers!(id, [requestKey('w.1')])).toEqual(new Map())
      })

      it('touchAndOpen() touches the session and opens the stream in one step', async () => {
        expect(a.events.touchAndOpen).toBeTypeOf('function')
        const touchAndOpen = a.events.touchAndOpen!.bind(a.events)
        const gone = clusterStreamId(crypto.randomUUID(), 'p1')
        expect(await touchAndOpen(gone, { pending: [] }, {}, 'a1', 1, long)).toBe('gone')
        expect(await a.events.info(gone)).toBeUndefined()

        const record = await openSession(ttl)
        const { id } = record
        const g = clusterStreamId(id, 'g')
        await a.events.open(g, { pending: [] }, {}, 'a1', 1, ttl)
        expect(await b.sessions.updateReplay(id, { ...record.replay, initialized: true }, 1)).toBe(
          2,
        )
        await harness.elapse(ttl * 0.3)
        const s = clusterStreamId(id, 'p1')
        const opening = { producer: 'a1', pending: [requestKey(1)] }
        expect(await touchAndOpen(s, opening, {}, 'a1', 2, long)).toEqual({
          id: `${s}_1`,
          replayVersion: 2,
        })
        // The session and its other streams got the new TTL too.
        await harness.elapse(ttl)
        expect(await b.sessions.get(id)).toBeDefined()
        expect(await b.events.info(g)).toBeDefined()
        expect(await b.events.info(s)).toEqual({
          sessionId: id,
          producer: 'a1',
          pending: [requestKey(1)],
          ended: false,
        })
        expect((await b.events.read(s, null, 10)).events).toEqual([{ id: `${s}_1`, message: {} }])
        expect(await a.events.end(s, [result(1)], 'a1', 3)).toEqual([`${s}_2`])
        const ended = await rejection(touchAndOpen(s, opening, {}, 'a1', 4, long))
        expect(ended.name).toBe('StreamEndedError')
        expect(await b.sessions.touch(id, ttl)).toBe(2)
        await harness.elapse(ttl * 2)
        expect(await touchAndOpen(clusterStreamId(id, 'p2'), opening, {}, 'a1', 5, ttl)).toBe(
          'gone',
        )
      })

      it('touchAndOpen() claims the request ids in flight: a duplicate writes nothing, the end frees them', async () => {
        const touchAndOpen = a.events.touchAndOpen!.bind(a.events)
        const { id } = await openSession()
        const s1 = clusterStreamId(id, 'p1')
        const opened = await touchAndOpen(
          s1,
          { producer: 'a1', pending: [requestKey(1)] },
          {},
          'a1',
          1,
          long,
        )
        expect(opened).toEqual({ id: `${s1}_1`, replayVersion: 1 })
        // The same id on another instance, alone or with others, or twice in one call: refused.
        const s2 = clusterStreamId(id, 'p2')
        const both = { producer: 'b1', pending: [requestKey(2), requestKey(1)] }
        expect(await b.events.touchAndOpen!(s2, both, {}, 'b1', 1, long)).toBe('duplicate')
        const twice = { producer: 'b1', pending: [requestKey(3), requestKey(3)] }
        expect(await b.events.touchAndOpen!(s2, twice, {}, 'b1', 2, long)).toBe('duplicate')
        expect(await b.events.info(s2)).toBeUndefined()
        // Nothing of a refused call was claimed: id 2 is free, and touch() sees id 1 as taken.
        expect(
          await b.sessions.touch(id, long, { instance: 'b1', requestIds: [requestKey(1)] }),
        ).toBe('duplicate')
        const s3 = clusterStreamId(id, 'p3')
        const two = { producer: 'b1', pending: [requestKey(2)] }
        expect(await b.events.touchAndOpen!(s3, two, {}, 'b1', 3, long)).toEqual({
          id: `${s3}_1`,
          replayVersion: 1,
        })
        // The stream's end releases its ids: id 1 may be used again.
        await a.events.end(s1, [result(1)], 'a1', 2)
        const again = clusterStreamId(id, 'p4')
        const one = { producer: 'b1', pending: [requestKey(1)] }
        expect(await b.events.touchAndOpen!(again, one, {}, 'b1', 4, long)).toEqual({
          id: `${again}_1`,
          replayVersion: 1,
        })
      })

      it('is still an SDK-compatible EventStore', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        const priming = await a.events.storeEvent(s, {})
        const one = await a.events.storeEvent(s, progress(1))
        await b.events.storeEvent(s, progress(2))
        await b.events.storeEvent(s, progress(2))
        const sent: [string, McpMessage][] = []
        const streamId = await b.events.replayEventsAfter(priming, {
          send: async (eventId, message) => {
            sent.push([eventId, message])
          },
        })
        expect(streamId).toBe(s)
        expect(sent).toEqual([
          [one, progress(1)],
          [`${s}_3`, progress(2)],
          [`${s}_4`, progress(2)],
        ])
        expect(await b.events.getStreamIdForEventId?.(one)).toBe(s)
        expect(await b.events.getStreamIdForEventId?.(`${clusterStreamId(id, 'x')}_1`)).toBe(
          undefined,
        )
        expect(await b.events.getStreamIdForEventId?.('nonsense')).toBeUndefined()
        const send = async () => {}
        expect((await rejection(b.events.replayEventsAfter('nonsense', { send }))).name).toBe(
          'RangeError',
        )
      })

      it('replayEventsAfter() pages through long streams', async () => {
        const { id } = await openSession()
        const s = clusterStreamId(id, 'g')
        const first = await a.events.storeEvent(s, {})
        const count = harness.maxEventsPerStream - 1
        expect(count).toBeGreaterThan(64)
        for (let n = 1; n <= count; n++) await a.events.storeEvent(s, progress(n))
        const sent: unknown[] = []
        await b.events.replayEventsAfter(first, {
          send: async (_id, message) => {
            sent.push((message.params as { progress: number }).progress)
          },
        })
        expect(sent).toEqual(Array.from({ length: count }, (_, n) => n + 1))
      })
    })

    describe('bus', () => {
      it('publish() reaches every subscriber once, in order, until it unsubscribes', async () => {
        const topic = `s.${crypto.randomUUID()}`
        expect(await a.bus.publish(topic, 'nobody')).toBe(0)
        const gotA: string[] = []
        const gotB: string[] = []
        const offA = await a.bus.subscribe(topic, (payload) => gotA.push(payload))
        const offB = await b.bus.subscribe(topic, (payload) => gotB.push(payload))
        expect(await a.bus.publish(topic, 'one')).toBe(2)
        for (let n = 0; n < 20; n++) await b.bus.publish(topic, `n${n}`)
        await waitFor(() => gotA.length === 21 && gotB.length === 21)
        const expected = ['one', ...Array.from({ length: 20 }, (_, n) => `n${n}`)]
        expect(gotA).toEqual(expected)
        expect(gotB).toEqual(expected)
        await offA()
        expect(await b.bus.publish(topic, 'two')).toBe(1)
        await waitFor(() => gotB.length === 22)
        expect(gotB.at(-1)).toBe('two')
        expect(gotA).toHaveLength(21)
        await offB()
        await offB()
        expect(await a.bus.publish(topic, 'three')).toBe(0)
        expect(await a.bus.publish(`s.${crypto.randomUUID()}`, 'other')).toBe(0)
      })

      it('topics are separate', async () => {
        const one = `s.${crypto.randomUUID()}`
        const two = `s.${crypto.randomUUID()}`
        const got: string[] = []
        const off = await b.bus.subscribe(one, (payload) => got.push(payload))
        await a.bus.publish(two, 'elsewhere')
        await a.bus.publish(one, 'here')
        await waitFor(() => got.length === 1)
        expect(got).toEqual(['here'])
        await off()
      })
    })
  })
}
