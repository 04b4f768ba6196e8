// Benchmarks record their figures here so that scripts/bench-charts.mjs can draw them. One JSON
// file per comparison, beside the bench: <package>/bench/charts/<name>.json (committed, so the
// charts can be redrawn without running the benches again).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Writes one comparison of ours against a peer.
 * @param {string} benchDir The bench folder (`new URL('.', import.meta.url).pathname` in a bench).
 * @param {string} name File name without extension, for example `decoder`.
 * @param {{ title: string, unit: string, better: 'higher' | 'lower', ours: string, peer: string,
 *   rows: { label: string, ours: number, peer: number }[], note?: string }} results
 */
export function writeResults(benchDir, name, results) {
  const dir = join(benchDir, 'charts')
  mkdirSync(dir, { recursive: true })
  const measured = new Date().toISOString().slice(0, 10)
  const note =
    results.note ?? `Node ${process.version.slice(1)}, ${process.arch}, measured ${measured}`
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...results, note }, null, 2)}\n`)
}
