// Measures the minified + gzipped size of the package as an application bundles it (esbuild, ESM,
// browser platform, @mcpwire/sse and @mcpwire/jsonrpc included) and fails past the budget.
// Usage: node scripts/size.mjs (after `build`).
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

// Budgets in KiB of min+gzip: the transports an SDK user bundles, and everything with connect().
const entries = {
  'whole package': ['export * from "./dist/index.js"', 17.5],
  StreamableHttpClientTransport: [
    'export { StreamableHttpClientTransport } from "./dist/index.js"',
    12,
  ],
  'HttpClientTransport (auto)': ['export { HttpClientTransport } from "./dist/index.js"', 14],
}
let failed = false
for (const [name, [contents, budgetKiB]] of Object.entries(entries)) {
  const BUDGET_BYTES = budgetKiB * 1024
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  })
  const code = result.outputFiles[0].contents
  const gzipped = gzipSync(code, { level: 9 }).length
  const over = gzipped > BUDGET_BYTES
  failed ||= over
  console.log(
    `${name}: ${(code.length / 1024).toFixed(1)} KiB min, ${(gzipped / 1024).toFixed(1)} KiB min+gzip${over ? ` (over the ${BUDGET_BYTES / 1024} KiB budget)` : ''}`,
  )
}
process.exit(failed ? 1 : 0)
