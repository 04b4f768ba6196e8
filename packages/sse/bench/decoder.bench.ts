// Decoder throughput: @mcpwire/sse vs eventsource-parser (fed through a streaming TextDecoder)
// vs the floor of TextDecoder.decode alone on the same chunks. Run: pnpm bench

import { createParser } from 'eventsource-parser'
import { measure } from 'mitata'
import { writeResults } from '../../../scripts/lib/bench-results.mjs'
import { createSseParser } from '../src/index.js'
import { type Shape, shapes } from './_fixtures.js'

type Contender = (shape: Shape) => number

const ours: Contender = (shape) => {
  let events = 0
  const parser = createSseParser({ onEvent: () => void events++ })
  for (const chunk of shape.chunks) parser.feed(chunk)
  parser.end()
  return events
}

const eventsourceParser: Contender = (shape) => {
  let events = 0
  const decoder = new TextDecoder()
  const parser = createParser({ onEvent: () => void events++ })
  for (const chunk of shape.chunks) parser.feed(decoder.decode(chunk, { stream: true }))
  return events
}

const textDecoderFloor: Contender = (shape) => {
  let length = 0
  const decoder = new TextDecoder()
  for (const chunk of shape.chunks) length += decoder.decode(chunk, { stream: true }).length
  return length
}

// Each contender is measured in ROUNDS interleaved rounds and keeps its best median: on a shared
// machine, outside load then hits every contender alike, and none gains from running last.
const ROUNDS = 5

async function megabytesPerSecond(contender: Contender, shape: Shape): Promise<number> {
  const stats = await measure(() => contender(shape), { min_cpu_time: 200 * 1e6 })
  return shape.bytes / 1e6 / (stats.p50 / 1e9)
}

async function bestOfRounds(contenders: Contender[], shape: Shape): Promise<number[]> {
  const best = contenders.map(() => 0)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, contender] of contenders.entries()) {
      best[i] = Math.max(best[i]!, await megabytesPerSecond(contender, shape))
    }
  }
  return best
}

const rows: string[][] = []
const chartRows: { label: string; ours: number; peer: number }[] = []
const vsPeer: number[] = []
for (const make of shapes) {
  const shape = make()
  if (ours(shape) !== shape.events || eventsourceParser(shape) !== shape.events) {
    throw new Error(`event count mismatch on ${shape.name}`)
  }
  const [a, b, floor] = (await bestOfRounds(
    [ours, eventsourceParser, textDecoderFloor],
    shape,
  )) as [number, number, number]
  vsPeer.push(a / b)
  chartRows.push({ label: shape.name, ours: Math.round(a), peer: Math.round(b) })
  rows.push([
    shape.name,
    a.toFixed(0),
    b.toFixed(0),
    floor.toFixed(0),
    `${(a / b).toFixed(2)}x`,
    `${(a / floor).toFixed(2)}x`,
  ])
}
const geoMean = Math.exp(vsPeer.reduce((s, r) => s + Math.log(r), 0) / vsPeer.length)

console.log(
  `\nSSE decoder, MB/s (best of ${ROUNDS} interleaved rounds of medians), ${process.version}, ${process.arch}\n`,
)
console.log(
  '| shape | @mcpwire/sse | eventsource-parser 4.1.3 | TextDecoder floor | vs eventsource-parser | vs floor |',
)
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)
console.log(`\ngeometric mean vs eventsource-parser: ${geoMean.toFixed(2)}x`)
writeResults(new URL('.', import.meta.url).pathname, 'decoder', {
  title: 'SSE decoder throughput',
  unit: 'MB/s',
  better: 'higher',
  ours: '@mcpwire/sse',
  peer: 'eventsource-parser 4.1.3',
  rows: chartRows,
})
