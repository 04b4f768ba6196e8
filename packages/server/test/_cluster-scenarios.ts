import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { hangs, sseReader, type TestCluster } from './_cluster.js'
import { initializeBody, post } from './_requests.js'
import { waitFor } from './_wait-for.js'

const URL_ = 'http://127.0.0.1:3000/mcp'

let cluster: TestCluster | undefined
const clients: Client[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => {})))
  await cluster?.close()
  cluster = undefined
})

/** An SDK v1 client talking to the cluster through its round-robin fetch. */
async function connect(
  c: TestCluster,
  setup: (client: Client) => void = () => {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client(
    { name: 'cluster-test', version: '1.0.0' },
    { capabilities: { elicitation: {} } },
  )
  setup(client)
  const transport = new StreamableHTTPClientTransport(new URL(URL_), {
    fetch: c.fetch,
    reconnectionOptions: {
      maxRetries: 5,
      initialReconnectionDelay: 20,
      maxReconnectionDelay: 100,
      reconnectionDelayGrowFactor: 1.5,
    },
  })
  await client.connect(transport)
  clients.push(client)
  return { client, transport }
}

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text
}

/** The instances that served a session's requests. */
function instancesOf(c: TestCluster, sessionId: string | undefined): Set<number> {
  return new Set(c.log.filter((s) => s.sessionId === sessionId).map((s) => s.instance))
}

/** A session opened with raw requests: initialize on instance 0, initialized on instance 1. */
async function openRaw(c: TestCluster): Promise<Record<string, string>> {
  const response = await c.fetchOn(0, post(initializeBody(1, '2025-11-25')))
  await response.text()
  const headers = {
    'mcp-session-id': response.headers.get('mcp-session-id')!,
    'mcp-protocol-version': '2025-11-25',
  }
  const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
  expect((await c.fetchOn(1, post(initialized, headers))).status).toBe(202)
  return headers
}

/** A GET for the session's standalone stream, or a resume from `lastEventId`. */
function getStream(headers: Record<string, string>, lastEventId?: string): Request {
  const resume: Record<string, string> =
    lastEventId === undefined ? {} : { 'last-event-id': lastEventId }
  return new Request(URL_, { headers: { accept: 'text/event-stream', ...headers, ...resume } })
}

/** Starts 3 instances on a backend; `heartbeatMs` as asked. */
export type StartThree = (heartbeatMs?: number) => TestCluster | Promise<TestCluster>

/**
 * The cluster scenarios driven by the SDK v1 client through a round-robin `fetch` over 3
 * instances, on any backend (the memory one here, Redis in `@mcpwire/redis`).
 */
export function describeClusterScenarios(title: string, start: StartThree): void {
  describe(title, () => {
    it('spreads the handshake and later requests over every instance, one session throughout', async () => {
      cluster = await start()
      const { client, transport } = await connect(cluster)
      await client.setLoggingLevel('warning')
      const tools = await client.listTools()
      expect(tools.tools.map((t) => t.name)).toContain('echo')
      const answers = new Set<string>()
      for (let i = 0; i < 6; i++)
        answers.add(
          text(await client.callTool({ name: 'echo', arguments: { text: 'x' } })).split(':')[0]!,
        )
      expect(answers.size).toBeGreaterThanOrEqual(2) // served by servers on several instances
      expect(instancesOf(cluster, transport.sessionId).size).toBe(3)
      expect(cluster.log.every((s) => s.status < 400)).toBe(true)
      const record = await cluster.backend.sessions.get(transport.sessionId!)
      expect(record?.replayVersion).toBe(3) // initialize, then initialized, then setLevel
      expect(JSON.parse(record!.replay.logLevel!)).toEqual({ level: 'warning' })
    })

    it('a rebuilt server on another instance has the level the client set elsewhere', async () => {
      cluster = await start()
      const logs: string[] = []
      const { client } = await connect(cluster, (c) =>
        c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          logs.push(String(n.params.data))
        }),
      )
      await client.setLoggingLevel('warning')
      for (let i = 0; i < 3; i++) {
        await client.callTool({ name: 'log', arguments: { level: 'info' } })
        await client.callTool({ name: 'log', arguments: { level: 'error' } })
      }
      // They come on the GET stream, relayed from the store: wait for the three that pass.
      await waitFor(() => logs.filter((l) => l.startsWith('error')).length === 3)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(logs.filter((l) => l.startsWith('info'))).toEqual([])
      expect(logs.filter((l) => l.startsWith('error'))).toHaveLength(3)
    })

    it('progress and results reach the client exactly once and in order, wherever the call runs', async () => {
      cluster = await start()
      const { client, transport } = await connect(cluster)
      const served = new Set<number>()
      for (let call = 0; call < 9; call++) {
        const progress: number[] = []
        const result = await client.callTool({ name: 'count', arguments: { n: 4 } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        })
        expect(progress).toEqual([1, 2, 3, 4])
        served.add(Number(text(result).split(':')[0]!.slice(1)))
      }
      expect(served.size).toBe(3)
      expect(instancesOf(cluster, transport.sessionId).size).toBe(3)
    })

    it('an elicitation answer POSTed to another instance reaches the waiting tool', async () => {
      cluster = await start()
      const { client, transport } = await connect(cluster, (c) =>
        c.setRequestHandler(ElicitRequestSchema, async () => ({
          action: 'accept',
          content: { name: 'Ada' },
        })),
      )
      for (let i = 0; i < 3; i++) {
        const result = await client.callTool({ name: 'ask', arguments: {} })
        expect(text(result)).toMatch(/^i\d:\{"name":"Ada"\}$/)
      }
      const session = cluster.log.filter((s) => s.sessionId === transport.sessionId)
      const calls = session.filter((s) => s.rpc === 'tools/call')
      const answers = session.filter((s) => s.rpc === 'response')
      expect(answers).toHaveLength(3)
      // At least one answer landed on an instance other than the one running its tool.
      const crossed = calls.filter((call, i) => answers[i]!.instance !== call.instance)
      expect(crossed.length).toBeGreaterThanOrEqual(1)
    })

    it('notifications from a tool on one instance reach the GET stream held on another', async () => {
      // Heartbeats far apart: delivery rests on the bus nudges, not on the periodic re-read.
      cluster = await start(60_000)
      const got: number[] = []
      const { client, transport } = await connect(cluster, (c) =>
        c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          got.push((n.params.data as { i: number }).i)
        }),
      )
      await waitFor(() => cluster!.log.some((s) => s.httpMethod === 'GET' && s.status === 200))
      const get = cluster.log.find((s) => s.httpMethod === 'GET')!
      await new Promise((resolve) => setTimeout(resolve, 20)) // the GET's relay is in place
      let ranElsewhere = false
      for (let round = 0; round < 2; round++) {
        const result = await client.callTool({ name: 'notify', arguments: { n: 10 } })
        if (Number(text(result).split(':')[0]!.slice(1)) !== get.instance) ranElsewhere = true
      }
      expect(ranElsewhere).toBe(true)
      await waitFor(() => got.length >= 20)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(got).toEqual([
        ...Array.from({ length: 10 }, (_, i) => i + 1),
        ...Array.from({ length: 10 }, (_, i) => i + 1),
      ])
      expect(instancesOf(cluster, transport.sessionId).size).toBe(3)
    })

    it('one GET stream per session across instances: a second gets 409, a resume takes it over, closing frees it', async () => {
      // Heartbeats far apart: the lease moves by claims, takeovers and releases, not by expiry.
      cluster = await start(60_000)
      const headers = await openRaw(cluster)
      const first = await cluster.fetchOn(0, getStream(headers))
      expect(first.status).toBe(200)
      const onA = sseReader(first)
      const priming = (await onA.next())!
      expect(priming.data).toBe('')
      const second = await cluster.fetchOn(1, getStream(headers))
      expect(second.status).toBe(409)
      expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(
        /Conflict/,
      )
      // A resume on another instance takes the stream over; the old connection ends.
      const resumed = await cluster.fetchOn(2, getStream(headers, priming.id))
      expect(resumed.status).toBe(200)
      expect(await onA.next()).toBeUndefined()
      const onC = sseReader(resumed)
      expect((await cluster.fetchOn(0, getStream(headers))).status).toBe(409)
      // The client leaves: the lease goes with its connection.
      await onC.stop()
      let status = 0
      for (let i = 0; i < 100 && status !== 200; i++) {
        const again = await cluster.fetchOn(1, getStream(headers))
        status = again.status
        if (status !== 200) {
          await again.text()
          await new Promise((resolve) => setTimeout(resolve, 10))
        } else await again.body?.cancel()
      }
      expect(status).toBe(200)
    })

    it('the GET stream lease of an instance that died runs out: a fresh GET elsewhere gets the stream', async () => {
      cluster = await start(100)
      const headers = await openRaw(cluster)
      const first = await cluster.fetchOn(0, getStream(headers))
      expect(first.status).toBe(200)
      await sseReader(first).next()
      cluster.kill(0)
      const started = Date.now()
      let status = 0
      while (status !== 200 && Date.now() - started < 5000) {
        const again = await cluster.fetchOn(1, getStream(headers))
        status = again.status
        if (status === 200) await again.body?.cancel()
        else {
          expect(status).toBe(409)
          await again.text()
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
      expect(status).toBe(200)
    })

    it('a request id in flight on one instance is refused (400) on another, and free again once answered', async () => {
      cluster = await start(60_000)
      const headers = await openRaw(cluster)
      const call = (id: number, name: string, args: Record<string, unknown> = {}) =>
        post(
          JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name, arguments: args },
          }),
          headers,
        )
      // Instance 1 serves the session in steady state (its first request adopts it).
      expect(
        (await (await cluster.fetchOn(1, call(2, 'echo', { text: 'warm' }))).text()).length,
      ).toBeGreaterThan(0)
      const hang = await cluster.fetchOn(0, call(7, 'hang'))
      expect(hang.status).toBe(200)
      await waitFor(() => hangs.waiting.length === 1)
      const duplicate = await cluster.fetchOn(1, call(7, 'echo', { text: 'again' }))
      expect(duplicate.status).toBe(400)
      expect(((await duplicate.json()) as { error: { message: string } }).error.message).toMatch(
        /already in use/,
      )
      // Also as the session's first request on an instance (2 has not served it yet).
      const cold = await cluster.fetchOn(2, call(7, 'echo', { text: 'cold' }))
      expect(cold.status).toBe(400)
      expect(((await cold.json()) as { error: { message: string } }).error.message).toMatch(
        /already in use/,
      )
      for (const resolve of hangs.waiting.splice(0)) resolve()
      expect(await hang.text()).toContain('i0:released')
      const reused = await cluster.fetchOn(1, call(7, 'echo', { text: 'reused' }))
      expect(reused.status).toBe(200)
      expect(await reused.text()).toContain('i1:reused')
    })

    it('a call whose instance dies gets an explicit error; the session goes on on the others', async () => {
      cluster = await start(100)
      const { client, transport } = await connect(cluster)
      const call = client.callTool({ name: 'hang', arguments: {} }, undefined, {
        onprogress: () => {},
        timeout: 10_000,
      })
      await waitFor(() => hangs.waiting.length === 1)
      const producer = cluster.log.findLast((s) => s.rpc === 'tools/call')!.instance
      cluster.kill(producer)
      await expect(call).rejects.toThrow(/interrupted/)
      // The client resumed on a survivor, which reaped the dead instance's request.
      const resumes = cluster.log.filter((s) => s.httpMethod === 'GET' && s.lastEventId !== null)
      expect(resumes.length).toBeGreaterThanOrEqual(1)
      expect(resumes.every((s) => s.instance !== producer)).toBe(true)
      const after = await client.callTool({ name: 'echo', arguments: { text: 'still here' } })
      expect(text(after)).toMatch(/still here$/)
      expect(instancesOf(cluster, transport.sessionId).size).toBe(3)
    })
  })
}
