// Encoder cost: encode() with validation vs a bare template literal that validates nothing, both
// turned into the bytes a server writes (a template literal alone is a lazy V8 cons string).

import { do_not_optimize, measure } from 'mitata'
import { writeResults } from '../../../scripts/lib/bench-results.mjs'
import { encode } from '../src/index.js'
import { jsonRpcMessages } from './_fixtures.js'

const messages = jsonRpcMessages(256)
const utf8 = new TextEncoder()
const bytes = messages.reduce((n, m) => n + m.length, 0)

const cases: [string, () => unknown, () => unknown][] = [
  [
    'data only',
    () => {
      let n = 0
      for (const json of messages) n += utf8.encode(encode({ data: json })).length
      return n
    },
    () => {
      let n = 0
      for (const json of messages) n += utf8.encode(`data: ${json}\n\n`).length
      return n
    },
  ],
  [
    'event + id + data',
    () => {
      let n = 0
      for (let i = 0; i < messages.length; i++) {
        n += utf8.encode(encode({ event: 'message', id: `s_${i}`, data: messages[i]! })).length
      }
      return n
    },
    () => {
      let n = 0
      for (let i = 0; i < messages.length; i++) {
        n += utf8.encode(`event: message\nid: s_${i}\ndata: ${messages[i]}\n\n`).length
      }
      return n
    },
  ],
]

console.log(
  `\nSSE encoder, ${messages.length} JSON-RPC messages of 200 B-4 KiB, ${process.version}\n`,
)
console.log('| case | encode() MB/s | template literal MB/s | encode() time / template time |')
console.log('| --- | ---: | ---: | ---: |')
const chartRows: { label: string; ours: number; peer: number }[] = []
for (const [name, ours, bare] of cases) {
  const a = await measure(() => do_not_optimize(ours()), { min_cpu_time: 400 * 1e6 })
  const b = await measure(() => do_not_optimize(bare()), { min_cpu_time: 400 * 1e6 })
  const mbps = (ns: number) => (bytes / 1e6 / (ns / 1e9)).toFixed(0)
  console.log(`| ${name} | ${mbps(a.p50)} | ${mbps(b.p50)} | ${(a.p50 / b.p50).toFixed(2)}x |`)
  chartRows.push({ label: name, ours: Number(mbps(a.p50)), peer: Number(mbps(b.p50)) })
}
writeResults(new URL('.', import.meta.url).pathname, 'encoder', {
  title: 'SSE encoder throughput',
  unit: 'MB/s',
  better: 'higher',
  ours: 'encode()',
  peer: 'template literal (no validation)',
  rows: chartRows,
})
