// Decoder throughput: @mcpwire/sse vs eventsource-parser (fed through a streaming TextDecoder)
// vs the floor of TextDecoder.decode alone on the same chunks. Run: pnpm bench
import { createParser } from 'eventsource-parser'
import { measure } from 'mitata'
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

async function megabytesPerSecond(contender: Contender, shape: Shape): Promise<number> {
  const stats = await measure(() => contender(shape), { min_cpu_time: 400 * 1e6 })
  return shape.bytes / 1e6 / (stats.p50 / 1e9)
}

const rows: string[][] = []
const vsPeer: number[] = []
for (const make of shapes) {
  const shape = make()
  if (ours(shape) !== shape.events || eventsourceParser(shape) !== shape.events) {
    throw new Error(`event count mismatch on ${shape.name}`)
  }
  const a = await megabytesPerSecond(ours, shape)
  const b = await megabytesPerSecond(eventsourceParser, shape)
  const floor = await megabytesPerSecond(textDecoderFloor, shape)
  vsPeer.push(a / b)
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

console.log(`\nSSE decoder, MB/s (median), ${process.version}, ${process.arch}\n`)
console.log(
  '| shape | @mcpwire/sse | eventsource-parser 4.1.3 | TextDecoder floor | vs eventsource-parser | vs floor |',
)
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)
console.log(`\ngeometric mean vs eventsource-parser: ${geoMean.toFixed(2)}x`)
