// Records the server benchmark's comparison with the SDK for scripts/bench-charts.mjs: calls per
// second and server CPU per call at each concurrency, and heap per idle session.
import { writeResults } from '../../../scripts/lib/bench-results.mjs'

interface Measured {
  levels: Map<number, { rps: number; serverCpu: number }>
  bytesPerSession: number
}

/** Writes bench/charts/{throughput,cpu,memory}.json from one run; skips what was not measured. */
export function writeCharts(run: {
  sdk: Measured | undefined
  sdkNode: Measured | undefined
  ours: Measured | undefined
  hibernating: Measured | undefined
  concurrency: readonly number[]
}): void {
  const dir = new URL('.', import.meta.url).pathname
  const { sdk, sdkNode, ours, hibernating } = run
  if (!ours || (!sdk && !sdkNode)) return
  const perLevel = (
    pick: (level: { rps: number; serverCpu: number }) => number,
    best: (...v: number[]) => number,
  ) =>
    run.concurrency.flatMap((concurrency) => {
      const mine = ours.levels.get(concurrency)
      const peers = [sdk, sdkNode].flatMap((r) => {
        const level = r?.levels.get(concurrency)
        return level ? [pick(level)] : []
      })
      return mine && peers.length > 0
        ? [
            {
              label: `concurrency ${concurrency}`,
              ours: Math.round(pick(mine)),
              peer: Math.round(best(...peers)),
            },
          ]
        : []
    })
  const ourName = '@mcpwire/server, toNodeHandler(mcp.fetch)'
  writeResults(dir, 'throughput', {
    title: 'tools/call round trips per second on node:http',
    unit: 'calls per second',
    better: 'higher',
    ours: ourName,
    peer: 'MCP SDK (better of its two setups)',
    rows: perLevel((level) => level.rps, Math.max),
  })
  writeResults(dir, 'cpu', {
    title: 'Server CPU per tools/call',
    unit: 'µs of CPU per call',
    better: 'lower',
    ours: ourName,
    peer: 'MCP SDK (better of its two setups)',
    rows: perLevel((level) => level.serverCpu, Math.min),
  })
  if (!sdk || Number.isNaN(sdk.bytesPerSession) || Number.isNaN(ours.bytesPerSession)) return
  const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10
  const rows = [
    {
      label: 'default (keeps each McpServer)',
      ours: kib(ours.bytesPerSession),
      peer: kib(sdk.bytesPerSession),
    },
  ]
  if (hibernating && !Number.isNaN(hibernating.bytesPerSession)) {
    rows.push({
      label: 'hibernateAfterMs: 1000',
      ours: kib(hibernating.bytesPerSession),
      peer: kib(sdk.bytesPerSession),
    })
  }
  writeResults(dir, 'memory', {
    title: 'Heap per idle session',
    unit: 'KiB per session',
    better: 'lower',
    ours: '@mcpwire/server',
    peer: 'MCP SDK, WebStandard transport',
    rows,
  })
}
