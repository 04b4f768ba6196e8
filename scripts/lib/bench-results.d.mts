/** One comparison of ours against a peer, as scripts/bench-charts.mjs draws it. */
export interface BenchResults {
  title: string
  unit: string
  better: 'higher' | 'lower'
  ours: string
  peer: string
  rows: { label: string; ours: number; peer: number }[]
  note?: string
}
export function writeResults(benchDir: string, name: string, results: BenchResults): void
