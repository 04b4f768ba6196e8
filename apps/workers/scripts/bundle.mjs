// Bundles src/worker.ts into dist/worker.js, one ES module as Workers take it.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/worker.ts'],
  outfile: 'dist/worker.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  logLevel: 'warning',
})
