// Installs the Debian packages the tests drive (redis-server for the cluster tests, chromium for
// the browser tests) in one apt-get run, before turbo starts tasks in parallel: two test setups
// installing at the same moment would fight over dpkg's lock. Each setup still installs what it
// needs when run on its own, so this step only orders things. Needs root, as CI has; elsewhere it
// says what is missing and leaves it to the tests.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const PACKAGES = [
  { name: 'redis-server', binaries: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'] },
  { name: 'chromium', binaries: ['/usr/bin/chromium'] },
]

const missing = PACKAGES.filter((pkg) => !pkg.binaries.some((path) => existsSync(path)))
if (missing.length === 0) {
  console.log('install-system-packages: redis-server and chromium are present')
  process.exit(0)
}
const names = missing.map((pkg) => pkg.name)
if (process.getuid?.() !== 0) {
  console.log(
    `install-system-packages: missing ${names.join(', ')}; not root, the tests will say so`,
  )
  process.exit(0)
}
const started = Date.now()
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
for (const args of [
  ['update', '-qq'],
  ['install', '-y', '-qq', ...names],
]) {
  const run = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (run.status !== 0) {
    console.error(`install-system-packages: apt-get ${args.join(' ')} failed (${run.status})`)
    process.exit(1)
  }
}
console.log(
  `install-system-packages: installed ${names.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`,
)
