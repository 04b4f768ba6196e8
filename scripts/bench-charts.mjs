// Draws an SVG bar chart for every benchmark result under packages/*/bench/charts/*.json (written
// by the benches through scripts/lib/bench-results.mjs): for each shape or concurrency level, the
// peer's bar and ours, on one scale, with the ratio. Plain Node, no dependency. `pnpm bench` runs
// it after the benches; run it alone to redraw: node scripts/bench-charts.mjs
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { libraryPackages } from './lib/library-packages.mjs'

const escapeXml = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  )
const format = (value) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2)

/**
 * Renders one comparison as an SVG document.
 * @param {{ title: string, unit: string, better: 'higher' | 'lower', ours: string, peer: string,
 *   rows: { label: string, ours: number, peer: number }[], note?: string }} results
 * @returns {string}
 */
export function renderChart(results) {
  const labelWidth = 300
  const barArea = 380
  const ratioWidth = 90
  const width = labelWidth + barArea + ratioWidth + 20
  const barHeight = 14
  const rowHeight = barHeight * 2 + 14
  const top = 62
  const height = top + results.rows.length * rowHeight + 34
  const max = Math.max(...results.rows.flatMap((row) => [row.ours, row.peer]))
  const scale = (value) => Math.max(1, (value / max) * (barArea - 70))
  const colors = { ours: '#2563eb', peer: '#9ca3af' }
  const out = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img">`,
    `<title>${escapeXml(`${results.title}: ${results.ours} against ${results.peer}`)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="600" fill="#111827">${escapeXml(results.title)}</text>`,
    `<rect x="10" y="32" width="12" height="12" fill="${colors.ours}"/>`,
    `<text x="27" y="42" fill="#111827">${escapeXml(results.ours)}</text>`,
    `<rect x="${labelWidth}" y="32" width="12" height="12" fill="${colors.peer}"/>`,
    `<text x="${labelWidth + 17}" y="42" fill="#111827">${escapeXml(results.peer)}</text>`,
    `<text x="${width - 10}" y="42" text-anchor="end" fill="#6b7280">${results.better === 'lower' ? 'peer / ours' : 'ours / peer'}</text>`,
  )
  results.rows.forEach((row, i) => {
    const y = top + i * rowHeight
    const ratio = results.better === 'lower' ? row.peer / row.ours : row.ours / row.peer
    out.push(
      `<text x="10" y="${y + barHeight + 4}" fill="#111827">${escapeXml(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${scale(row.ours).toFixed(1)}" height="${barHeight}" fill="${colors.ours}"/>`,
      `<text x="${labelWidth + scale(row.ours) + 4}" y="${y + 11}" fill="#111827">${format(row.ours)}</text>`,
      `<rect x="${labelWidth}" y="${y + barHeight + 2}" width="${scale(row.peer).toFixed(1)}" height="${barHeight}" fill="${colors.peer}"/>`,
      `<text x="${labelWidth + scale(row.peer) + 4}" y="${y + barHeight + 13}" fill="#4b5563">${format(row.peer)}</text>`,
      `<text x="${width - 10}" y="${y + barHeight + 4}" text-anchor="end" font-weight="600" fill="${ratio >= 1 ? '#15803d' : '#b91c1c'}">${ratio.toFixed(2)}x</text>`,
    )
  })
  out.push(
    `<text x="10" y="${height - 12}" fill="#6b7280">${escapeXml(`${results.unit}, ${results.better} is better. ${results.note ?? ''}`)}</text>`,
    '</svg>',
  )
  return `${out.join('\n')}\n`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let drawn = 0
  for (const pkg of libraryPackages()) {
    const dir = join(pkg.dir, 'bench', 'charts')
    if (!existsSync(dir)) continue
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const results = JSON.parse(readFileSync(join(dir, file), 'utf8'))
      writeFileSync(join(dir, file.replace(/\.json$/, '.svg')), renderChart(results))
      drawn++
    }
  }
  console.log(`bench-charts: ${drawn} charts drawn`)
}
