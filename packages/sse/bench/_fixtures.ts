// Deterministic SSE fixtures for the benchmarks (a seeded PRNG: the same bytes on every run).

export interface Shape {
  name: string
  chunks: Uint8Array[]
  bytes: number
  events: number
}

function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const encoder = new TextEncoder()

function chunked(text: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(text)
  const chunks: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size))
  return chunks
}

function shape(name: string, text: string, chunkSize: number, events: number): Shape {
  const chunks = chunked(text, chunkSize)
  return { name, chunks, bytes: chunks.reduce((n, c) => n + c.length, 0), events }
}

/** A JSON-RPC message of about `size` bytes, as MCP servers stream them. */
export function jsonRpcMessage(random: () => number, size: number, id: number): string {
  const words = ['tool', 'résumé', 'result', 'content', 'text', 'Zürich', '数据', 'value', 'ok']
  let text = ''
  while (text.length < size - 80) text += `${words[Math.floor(random() * words.length)]} `
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    result: { content: [{ type: 'text', text }], isError: false },
  })
}

export function mcpMessages(): Shape {
  const random = prng(1)
  let text = ''
  let n = 0
  while (text.length < 1024 * 1024) {
    const size = 200 + Math.floor(random() * (4096 - 200))
    text += `event: message\nid: stream-1_${n}\ndata: ${jsonRpcMessage(random, size, n)}\n\n`
    n++
  }
  return shape('MCP messages (200 B-4 KiB, 16 KiB chunks)', text, 16 * 1024, n)
}

function tokenDeltas(): { text: string; events: number } {
  const random = prng(2)
  const tokens = [' the', ' model', ' streams', ' tokens', ',', ' one', ' at', ' a', ' time', '.']
  let text = ''
  let n = 0
  while (text.length < 512 * 1024) {
    const token = tokens[Math.floor(random() * tokens.length)]
    text += `data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":${JSON.stringify(token)}}}]}\n\n`
    n++
  }
  return { text: `${text}data: [DONE]\n\n`, events: n + 1 }
}

export function llmDeltasSmallChunks(): Shape {
  const { text, events } = tokenDeltas()
  return shape('LLM token deltas (64 B chunks)', text, 64, events)
}

export function llmDeltasLargeChunks(): Shape {
  const { text, events } = tokenDeltas()
  return shape('LLM token deltas (16 KiB chunks)', text, 16 * 1024, events)
}

export function hugeLine(): Shape {
  return shape(
    'one 8 MiB line (1460 B chunks)',
    `data: ${'x'.repeat(8 * 1024 * 1024)}\n\n`,
    1460,
    1,
  )
}

export function heartbeats(): Shape {
  // Each heartbeat arrives on its own, as it does on a quiet stream.
  const chunks = Array.from({ length: 20_000 }, () => encoder.encode(': keep-alive\n\n'))
  return { name: 'heartbeat comments (one per chunk)', chunks, bytes: 20_000 * 14, events: 0 }
}

export function multiLineData(): Shape {
  const random = prng(3)
  let text = ''
  let n = 0
  while (text.length < 1024 * 1024) {
    for (let line = 0; line < 20; line++) {
      let row = ''
      while (row.length < 80) row += String.fromCharCode(97 + Math.floor(random() * 26))
      text += `data: ${row}\n`
    }
    text += '\n'
    n++
  }
  return shape('multi-line data (20 x 80 chars, 16 KiB chunks)', text, 16 * 1024, n)
}

/** Events of many short lines, as pretty-printed JSON or log tails arrive: 20 lines of ~40 bytes. */
export function shortMultiLineData(): Shape {
  const random = prng(5)
  let text = ''
  let n = 0
  while (text.length < 1024 * 1024) {
    for (let line = 0; line < 20; line++) {
      let row = ''
      const length = 30 + Math.floor(random() * 20)
      while (row.length < length) row += String.fromCharCode(97 + Math.floor(random() * 26))
      text += `data: ${row}\n`
    }
    text += '\n'
    n++
  }
  return shape('short multi-line data (20 x ~40 chars, 16 KiB chunks)', text, 16 * 1024, n)
}

export const shapes: (() => Shape)[] = [
  mcpMessages,
  llmDeltasSmallChunks,
  llmDeltasLargeChunks,
  hugeLine,
  heartbeats,
  multiLineData,
  shortMultiLineData,
]

export function jsonRpcMessages(count: number): string[] {
  const random = prng(4)
  return Array.from({ length: count }, (_, i) =>
    jsonRpcMessage(random, 200 + Math.floor(random() * 3800), i),
  )
}
