// parseMessage vs bare JSON.parse (the floor) vs the MCP SDK's schema check, and the dispatcher
// vs json-rpc-2.0 on the same requests. Run: pnpm bench
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js'
import { JSONRPCServer } from 'json-rpc-2.0'
import { do_not_optimize, measure } from 'mitata'
import { writeResults } from '../../../scripts/lib/bench-results.mjs'
import { createDispatcher, parseMessage } from '../src/index.js'

const text = (length: number) =>
  'lorem ipsum dolor sit amet '.repeat(Math.ceil(length / 27)).slice(0, length)
const typical: [string, string][] = [
  [
    'initialize request',
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
        clientInfo: { name: 'bench-client', version: '1.0.0' },
      },
    }),
  ],
  [
    'tools/call request',
    JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: text(200) } },
    }),
  ],
  [
    'tools/call result 1 KiB',
    JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      result: { content: [{ type: 'text', text: text(1000) }], isError: false },
    }),
  ],
  [
    'tools/list result 4 KiB',
    JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      result: {
        tools: Array.from({ length: 12 }, (_, i) => ({
          name: `tool_${i}`,
          description: text(150),
          inputSchema: {
            type: 'object',
            properties: { text: { type: 'string' } },
            required: ['text'],
          },
        })),
      },
    }),
  ],
]
const small: [string, string][] = [
  ['ping', '{"jsonrpc":"2.0","id":1,"method":"ping"}'],
  ['initialized notification', '{"jsonrpc":"2.0","method":"notifications/initialized"}'],
  [
    'progress notification',
    JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p1', progress: 3, total: 5 },
    }),
  ],
  ['empty result', '{"jsonrpc":"2.0","id":3,"result":{}}'],
]

const opts = { min_cpu_time: 150 * 1e6 }
const ns = async (fn: () => unknown) => (await measure(() => do_not_optimize(fn()), opts)).p50

/** Best median of each contender over three alternating rounds (the machine is shared). */
async function best(...fns: (() => unknown)[]): Promise<number[]> {
  const out = fns.map(() => Number.POSITIVE_INFINITY)
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < fns.length; i++) out[i] = Math.min(out[i]!, await ns(fns[i]!))
  }
  return out
}

console.log(`\nparse + validate, ns per message (median), ${process.version}\n`)
console.log(
  '| message | bytes | JSON.parse | parseMessage | SDK safeParse | parseMessage / JSON.parse | SDK / JSON.parse |',
)
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
const parseRows: { label: string; ours: number; peer: number }[] = []
for (const [group, cases] of [
  ['typical', typical],
  ['small', small],
] as const) {
  const ratios: number[] = []
  for (const [name, json] of cases) {
    if (!parseMessage(json).ok || !JSONRPCMessageSchema.safeParse(JSON.parse(json)).success)
      throw new Error(name)
    const [floor, ours, sdk] = (await best(
      () => JSON.parse(json),
      () => parseMessage(json),
      () => JSONRPCMessageSchema.safeParse(JSON.parse(json)),
    )) as [number, number, number]
    ratios.push(ours / floor)
    parseRows.push({ label: name, ours: Math.round(ours), peer: Math.round(sdk) })
    console.log(
      `| ${name} | ${json.length} | ${floor.toFixed(0)} | ${ours.toFixed(0)} | ${sdk.toFixed(0)} | ${(ours / floor).toFixed(2)}x | ${(sdk / floor).toFixed(2)}x |`,
    )
  }
  const mean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length)
  console.log(`| ${group}: geometric mean | | | | | ${mean.toFixed(2)}x | |`)
}

const ours = createDispatcher({
  methods: { echo: (params) => params, add: (p) => (p as number[])[0]! + (p as number[])[1]! },
})
const peer = new JSONRPCServer()
peer.addMethod('echo', (params: unknown) => params)
peer.addMethod('add', (p: number[]) => p[0]! + p[1]!)
const requests: [string, string][] = [
  [
    'echo request',
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { text: text(200) } }),
  ],
  ['add request', '{"jsonrpc":"2.0","id":2,"method":"add","params":[1,2]}'],
  ['unknown method', '{"jsonrpc":"2.0","id":3,"method":"nope"}'],
  [
    'batch of 10',
    JSON.stringify(
      Array.from({ length: 10 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'add',
        params: [i, i],
      })),
    ),
  ],
]
console.log(`\ndispatcher, ns per body answered as text (median)\n`)
console.log('| request | @mcpwire/jsonrpc | json-rpc-2.0 1.8.1 | json-rpc-2.0 time / ours |')
console.log('| --- | ---: | ---: | ---: |')
const dispatchRows: { label: string; ours: number; peer: number }[] = []
for (const [name, body] of requests) {
  const a = (await measure(async () => do_not_optimize(await ours.handle(body)), opts)).p50
  const b = (
    await measure(async () => do_not_optimize(JSON.stringify(await peer.receiveJSON(body))), opts)
  ).p50
  console.log(`| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}x |`)
  dispatchRows.push({ label: name, ours: Math.round(a), peer: Math.round(b) })
}
const benchDir = new URL('.', import.meta.url).pathname
writeResults(benchDir, 'parse', {
  title: 'Parse + validate one message',
  unit: 'ns per message',
  better: 'lower',
  ours: 'parseMessage',
  peer: 'MCP SDK JSONRPCMessageSchema.safeParse',
  rows: parseRows,
})
writeResults(benchDir, 'dispatch', {
  title: 'Dispatch one body, answer as text',
  unit: 'ns per body',
  better: 'lower',
  ours: '@mcpwire/jsonrpc',
  peer: 'json-rpc-2.0 1.8.1',
  rows: dispatchRows,
})
