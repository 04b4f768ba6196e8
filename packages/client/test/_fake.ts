import type { Timers } from '../src/index.js'

/** A manual clock: timers fire only when the test advances it. */
export class FakeClock implements Timers {
  #now = 0
  #next = 1
  readonly #pending = new Map<number, { at: number; callback: () => void }>()
  setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = this.#next++
    this.#pending.set(handle, { at: this.#now + ms, callback })
    return handle
  }
  clearTimeout = (handle: unknown): void => {
    this.#pending.delete(handle as number)
  }
  now = (): number => this.#now
  get armed(): number {
    return this.#pending.size
  }
  /** Moves time forward, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      await settle()
      let due: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#pending)
        if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry
      if (due === undefined) break
      this.#pending.delete(due[0])
      this.#now = due[1].at
      due[1].callback()
    }
    this.#now = target
    await settle()
  }
}

/** Lets pending promise chains and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** A response body the test writes to, chunk by chunk. */
export function controlledBody(): {
  body: ReadableStream<Uint8Array>
  push(text: string): void
  close(): void
  error(): void
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  const encoder = new TextEncoder()
  return {
    body,
    push: (text) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    error: () => controller.error(new TypeError('terminated')),
  }
}

export interface Seen {
  method: string
  url: string
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON bodies they sent freely
  body: any
}

/** A fake `fetch` answering with `handler`, recording every request. */
export function fakeFetch(
  handler: (request: Seen, index: number) => Response | Promise<Response>,
): {
  fetch: typeof globalThis.fetch
  seen: Seen[]
} {
  const seen: Seen[] = []
  const fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers)
    const text = typeof init?.body === 'string' ? init.body : undefined
    const request: Seen = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: text === undefined ? undefined : JSON.parse(text),
    }
    seen.push(request)
    const signal = init?.signal
    if (signal?.aborted) throw new DOMException('Aborted', 'AbortError')
    return handler(request, seen.length - 1)
  }) as typeof globalThis.fetch
  return { fetch, seen }
}

export const sse = (
  body: BodyInit | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  new Response(body as BodyInit, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', ...headers },
  })

export const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

export const event = (message: unknown, id?: string) =>
  `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`

export const INIT = {
  jsonrpc: '2.0' as const,
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
}

export const initResult = (id: number | string = 0, protocolVersion = '2025-11-25') => ({
  jsonrpc: '2.0',
  id,
  result: { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } },
})
