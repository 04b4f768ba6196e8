import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestCluster } from './_cluster.js'
import type { StartThree } from './_cluster-scenarios.js'
import { post } from './_requests.js'
import { waitFor } from './_wait-for.js'

const SSE_URL = 'http://127.0.0.1:3000/sse'

/** Text a naive SSE or JSON writer would break: line breaks, fake SSE fields, quotes, NUL. */
export const HOSTILE_TEXT =
  'a\n\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\r\nevent: endpoint\rdata: /evil\u2028\u2029' +
  '"\\\'</script>\u0000{"t":"legacy"}😀\ud800 '

let cluster: TestCluster | undefined
const clients: Client[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => {})))
  await cluster?.close()
  cluster = undefined
})

/**
 * An SDK v1 client on the legacy transport: its GET /sse stays on `holder` (502 once that
 * instance is in `down`, so the client's EventSource gives up instead of opening a new session
 * elsewhere), its POSTs to /messages go round robin over the live instances.
 */
async function connectLegacy(
  c: TestCluster,
  holder: number,
  down: ReadonlySet<number>,
): Promise<{ client: Client; sessionId: string }> {
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    if (request.method !== 'GET') return c.fetch(request)
    if (down.has(holder)) return new Response(null, { status: 502 })
    return c.fetchOn(holder, request)
  }
  const client = new Client({ name: 'legacy-cluster-test', version: '1.0.0' })
  const transport = new SSEClientTransport(new URL(SSE_URL), { fetch })
  await client.connect(transport)
  clients.push(client)
  // The session the server announced in its `endpoint` event, as the transport keeps it.
  const endpoint = (transport as unknown as { _endpoint?: URL })._endpoint
  return { client, sessionId: endpoint?.searchParams.get('sessionId') ?? '' }
}

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text
}

/** The instances that served the /messages POSTs of a session. */
function postInstances(c: TestCluster, sessionId: string): number[] {
  return c.log
    .filter((s) => s.sessionId === sessionId && s.httpMethod === 'POST')
    .map((s) => s.instance)
}

/** A legacy POST of `body` to /messages for `sessionId`. */
function messagesPost(sessionId: string, body: unknown): Request {
  return post(JSON.stringify(body), {}, `/messages?sessionId=${encodeURIComponent(sessionId)}`)
}

const PING = { jsonrpc: '2.0', method: 'notifications/initialized' }

/** Takes a crashed instance's backend connections away (its heartbeat and bus subscription go). */
export type CrashBackend = (c: TestCluster, instance: number) => Promise<void>

/**
 * Legacy HTTP+SSE (2024-11-05) in a cluster: the SDK v1 `SSEClientTransport` keeps its GET /sse
 * on one instance (the owner) while its POSTs to /messages go round robin over 3 instances, on
 * any backend. With `crashBackend`, an owner that dies without cleaning up is also covered.
 */
export function describeClusterLegacyScenarios(
  title: string,
  start: StartThree,
  crashBackend?: CrashBackend,
): void {
  describe(title, () => {
    it('initialize, tools/list and a hostile echo POSTed to other instances reach the SSE owner', async () => {
      cluster = await start()
      const holder = 1
      const { client, sessionId } = await connectLegacy(cluster, holder, new Set())
      const tools = await client.listTools()
      expect(tools.tools.map((t) => t.name)).toContain('echo')
      for (let i = 0; i < 3; i++) {
        const result = await client.callTool({ name: 'echo', arguments: { text: HOSTILE_TEXT } })
        expect(text(result)).toBe(`i${holder}:${HOSTILE_TEXT}`) // run by the owner's server
      }
      // A result can come on the stream before the 202 of its POST (the owner answers the
      // forwarding instance after it took the message): wait for the last one to be logged.
      await waitFor(() => postInstances(cluster!, sessionId).length === 6)
      const posts = postInstances(cluster, sessionId)
      // initialize, initialized, tools/list, 3 calls: spread over all 3, 2 of 3 on non-owners.
      expect(posts).toHaveLength(6)
      expect(new Set(posts).size).toBe(3)
      expect(posts.filter((i) => i !== holder).length).toBeGreaterThanOrEqual(4)
      expect(cluster.log.every((s) => s.status < 400)).toBe(true)
      const record = await cluster.backend.sessions.get(sessionId)
      expect(record).toMatchObject({ kind: 'legacy', owner: `i${holder}` })
    })

    it('countdown progress comes before the result, in order, whichever instance took the POST', async () => {
      cluster = await start()
      const { client, sessionId } = await connectLegacy(cluster, 0, new Set())
      for (let call = 0; call < 6; call++) {
        const progress: number[] = []
        const result = await client.callTool({ name: 'count', arguments: { n: 5 } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        })
        expect(progress).toEqual([1, 2, 3, 4, 5])
        expect(text(result)).toBe('i0:counted 5')
      }
      expect(new Set(postInstances(cluster, sessionId)).size).toBe(3)
    })

    it('the owner closed: the other instances answer 404 at once, and a call rejects, no hang', async () => {
      cluster = await start()
      const holder = 2
      const down = new Set<number>()
      const { client, sessionId } = await connectLegacy(cluster, holder, down)
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('i2:x')
      down.add(holder)
      await cluster.handlers[holder]!.close()
      cluster.kill(holder) // out of the rotation
      expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
      for (const instance of [0, 1]) {
        const response = await cluster.fetchOn(instance, messagesPost(sessionId, PING))
        expect(response.status).toBe(404)
        expect((await response.json()).error.code).toBe(-32001)
      }
      await expect(client.callTool({ name: 'echo', arguments: { text: 'y' } })).rejects.toThrow(
        /404/,
      )
    })

    it('the client leaving ends the session everywhere: its record is deleted', async () => {
      cluster = await start()
      const { client, sessionId } = await connectLegacy(cluster, 0, new Set())
      await client.listTools()
      expect(await cluster.backend.sessions.get(sessionId)).toBeDefined()
      await client.close()
      await waitFor(() => cluster!.handlers[0]!.stats().sessions === 0)
      await waitFor(() => false, 50) // the deletion is one backend call behind
      expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
      const response = await cluster.fetchOn(1, messagesPost(sessionId, PING))
      expect(response.status).toBe(404)
    })

    if (crashBackend !== undefined) {
      it('the owner crashed without cleanup: 503 or 404 at once, 404 once its heartbeat ran out', async () => {
        cluster = await start(100)
        const holder = 1 // cluster.backend is instance 0's: it must stay connected
        const down = new Set<number>()
        const { client, sessionId } = await connectLegacy(cluster, holder, down)
        await client.listTools()
        down.add(holder)
        await crashBackend(cluster, holder)
        cluster.kill(holder)
        // Its record outlives it (it could not delete it), but nobody hears its inbox.
        expect(await cluster.backend.sessions.get(sessionId)).toBeDefined()
        const statuses: number[] = []
        for (let i = 0; i < 200; i++) {
          const response = await cluster.fetchOn(2 * (i % 2), messagesPost(sessionId, PING))
          statuses.push(response.status)
          if (response.status === 404) break
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        console.log(`legacy owner crash: answers until 404: ${statuses.join(',')}`)
        expect(statuses.at(-1)).toBe(404)
        expect(statuses.every((s) => s === 503 || s === 404)).toBe(true)
        expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
        const again = await cluster.fetchOn(0, messagesPost(sessionId, PING))
        expect(again.status).toBe(404)
      })
    }
  })
}
