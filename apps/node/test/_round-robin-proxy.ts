// A round-robin HTTP reverse proxy for the cluster tests: no stickiness (each request goes to the
// next instance in rotation), streams piped both ways, and a log of which instance served what.
// It can cut open connections (all, or one instance's) and take an instance out of rotation.
import {
  type ClientRequest,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

/** One JSON-RPC message of a request body or of a response (SSE event or JSON body). */
export interface LoggedMessage {
  readonly method?: string
  readonly id?: string | number | null
  /** Whether it is a response (a result or an error). */
  readonly response: boolean
  /** The SSE event id it came with, if any. */
  readonly eventId?: string
  /** The message itself. */
  readonly message: Record<string, unknown>
}

/** What the proxy logged for one incoming request. */
export interface ProxyLogEntry {
  /** Order of arrival, from 0. */
  readonly seq: number
  readonly method: string
  readonly path: string
  /** `Mcp-Session-Id` of the request, else of the response (for `initialize`). */
  sessionId: string | undefined
  readonly lastEventId: string | undefined
  /** The index of the instance that served it (after any connect retries). */
  instance: number
  /** Status of the upstream answer; undefined until it came (or when none came). */
  status: number | undefined
  /** JSON-RPC messages of the request body. */
  readonly sent: LoggedMessage[]
  /** JSON-RPC messages relayed to the client, in order (SSE events or a JSON body). */
  readonly received: LoggedMessage[]
  /** The proxy cut the connection. */
  cut: boolean
  /** The response finished (ended or was cut). */
  done: boolean
}

interface Open {
  readonly entry: ProxyLogEntry
  readonly res: ServerResponse
  upstream: ClientRequest | undefined
}

/** Largest request body the proxy accepts (they are small JSON-RPC messages). */
const MAX_BODY = 1 << 20

/**
 * Starts a round-robin proxy on 127.0.0.1 (a free port) in front of `targets` (base URLs).
 *
 * @example
 * ```ts
 * const proxy = await startRoundRobinProxy(apps.map((app) => app.url))
 * const transport = new StreamableHTTPClientTransport(new URL('/mcp', proxy.url))
 * proxy.cut() // every open connection, as a network blip
 * ```
 */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const proxy = new RoundRobinProxy(targets)
  await proxy.listen()
  return proxy
}

/** See {@link startRoundRobinProxy}. */
export class RoundRobinProxy {
  /** Every request so far, in order of arrival. */
  readonly log: ProxyLogEntry[] = []
  /** Requests retried on the next instance after a refused connect (nothing was delivered). */
  connectRetries = 0
  readonly #targets: string[]
  readonly #out = new Set<number>()
  readonly #open = new Set<Open>()
  readonly #server: Server
  #next = 0
  #url = ''

  constructor(targets: readonly string[]) {
    this.#targets = [...targets]
    this.#server = createServer((req, res) => this.#handle(req, res))
    this.#server.keepAliveTimeout = 60_000
  }

  /** The proxy's base URL, for example `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(0, '127.0.0.1', resolve)
    })
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** Points instance `index` at a new base URL (a restarted process on another port). */
  setTarget(index: number, url: string): void {
    this.#targets[index] = url
  }

  /** Takes instance `index` out of rotation (`false`) or puts it back (`true`). */
  rotate(index: number, inRotation: boolean): void {
    if (inRotation) this.#out.delete(index)
    else this.#out.add(index)
  }

  /** The instances in rotation now. */
  get inRotation(): number[] {
    return this.#targets.map((_, index) => index).filter((index) => !this.#out.has(index))
  }

  /**
   * Cuts open connections, both the client's and the upstream one: all of them, or those served
   * by instance `index`. Returns how many were cut.
   */
  cut(index?: number): number {
    let count = 0
    for (const open of [...this.#open]) {
      if (index !== undefined && open.entry.instance !== index) continue
      open.entry.cut = true
      open.upstream?.destroy()
      open.res.socket?.destroy()
      this.#open.delete(open)
      count++
    }
    return count
  }

  /** Log entries of one session. */
  sessionLog(sessionId: string): ProxyLogEntry[] {
    return this.log.filter((entry) => entry.sessionId === sessionId)
  }

  /** Stops listening and cuts everything still open. */
  async close(): Promise<void> {
    this.cut()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #pick(exclude: ReadonlySet<number>): number | undefined {
    for (let i = 0; i < this.#targets.length; i++) {
      const index = this.#next++ % this.#targets.length
      if (!this.#out.has(index) && !exclude.has(index)) return index
    }
    return undefined
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const header = (name: string) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value[0] : value
    }
    const entry: ProxyLogEntry = {
      seq: this.log.length,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      sessionId: header('mcp-session-id'),
      lastEventId: header('last-event-id'),
      instance: -1,
      status: undefined,
      sent: [],
      received: [],
      cut: false,
      done: false,
    }
    this.log.push(entry)
    const open: Open = { entry, res, upstream: undefined }
    this.#open.add(open)
    res.once('close', () => {
      entry.done = true
      this.#open.delete(open)
      open.upstream?.destroy()
    })

    // The body is piped upstream as it comes and kept, so a refused connect can be retried on
    // the next instance (nothing reached the refused one) and the log can name its messages.
    const chunks: Buffer[] = []
    let size = 0
    let ended = false
    const whenEnded = new Promise<void>((resolve) => {
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY) chunks.push(chunk)
      })
      req.once('end', () => {
        ended = true
        for (const message of parseMessages(Buffer.concat(chunks).toString())) {
          entry.sent.push(message)
        }
        resolve()
      })
    })
    const tried = new Set<number>()
    const attempt = (replay: boolean): void => {
      const index = this.#pick(tried)
      if (index === undefined) {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end('No instance left')
        return
      }
      tried.add(index)
      entry.instance = index
      const target = new URL(req.url ?? '/', this.#targets[index])
      const upstream = httpRequest(target, {
        method: req.method,
        headers: { ...req.headers, host: target.host },
      })
      open.upstream = upstream
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (entry.status === undefined && error.code === 'ECONNREFUSED' && !entry.cut) {
          // Nothing was delivered: retry on the next instance, as load balancers do.
          this.connectRetries++
          void whenEnded.then(() => attempt(true))
          return
        }
        res.socket?.destroy()
      })
      upstream.on('response', (answer) => this.#relay(entry, answer, res))
      if (replay || ended) {
        upstream.end(Buffer.concat(chunks))
      } else {
        req.pipe(upstream)
      }
    }
    attempt(false)
  }

  #relay(entry: ProxyLogEntry, answer: IncomingMessage, res: ServerResponse): void {
    entry.status = answer.statusCode
    const session = answer.headers['mcp-session-id']
    if (entry.sessionId === undefined && typeof session === 'string') entry.sessionId = session
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
    res.flushHeaders()
    const sse = String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')
    const events = new SseEvents((data, eventId) => {
      for (const message of parseMessages(data, eventId)) entry.received.push(message)
    })
    const body: Buffer[] = []
    answer.on('data', (chunk: Buffer) => {
      if (entry.cut) return
      if (sse) events.push(chunk.toString())
      else body.push(chunk)
      res.write(chunk)
    })
    answer.once('end', () => {
      if (!sse)
        for (const message of parseMessages(Buffer.concat(body).toString())) {
          entry.received.push(message)
        }
      res.end()
    })
    answer.once('error', () => res.socket?.destroy())
  }
}

/** Splits SSE text into events (`id` and `data` fields only; enough for the log). */
class SseEvents {
  #buffer = ''
  #data: string[] = []
  #id: string | undefined
  readonly #onEvent: (data: string, id: string | undefined) => void

  constructor(onEvent: (data: string, id: string | undefined) => void) {
    this.#onEvent = onEvent
  }

  push(text: string): void {
    this.#buffer += text
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/)
      if (end < 0) return
      const line = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1))
      if (line === '') {
        if (this.#data.length > 0) this.#onEvent(this.#data.join('\n'), this.#id)
        this.#data = []
        this.#id = undefined
        continue
      }
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      let value = colon < 0 ? '' : line.slice(colon + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'data') this.#data.push(value)
      else if (field === 'id') this.#id = value
    }
  }
}

/** The JSON-RPC messages in a body or an event's data; nothing when it is not JSON-RPC. */
function parseMessages(text: string, eventId?: string): LoggedMessage[] {
  if (text.trim() === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  const list = Array.isArray(parsed) ? parsed : [parsed]
  const messages: LoggedMessage[] = []
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue
    const message = item as Record<string, unknown>
    messages.push({
      ...(typeof message.method === 'string' ? { method: message.method } : {}),
      ...('id' in message ? { id: message.id as string | number | null } : {}),
      response: 'result' in message || 'error' in message,
      ...(eventId === undefined ? {} : { eventId }),
      message,
    })
  }
  return messages
}
