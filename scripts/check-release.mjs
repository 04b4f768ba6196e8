// What a user installs, checked in parallel after the build: package metadata, tarballs, source
// maps, jsr.json and `deno publish --dry-run` (check-packages), the README examples
// (check-readme-examples) and the API docs (docs --check).
import { spawn } from 'node:child_process'

const checks = [['check-packages.mjs'], ['check-readme-examples.mjs'], ['docs.mjs', '--check']]
const started = performance.now()
const codes = await Promise.all(
  checks.map(
    ([script, ...args]) =>
      new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [new URL(script, import.meta.url).pathname, ...args],
          {
            stdio: 'inherit',
          },
        )
        child.on('exit', (code) => resolve(code ?? 1))
      }),
  ),
)
const seconds = ((performance.now() - started) / 1000).toFixed(0)
if (codes.some((code) => code !== 0)) {
  console.error(`check:release failed after ${seconds} s`)
  process.exit(1)
}
console.log(`check:release passed in ${seconds} s`)
