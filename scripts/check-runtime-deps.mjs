// Fails when a library package under packages/ declares a third-party runtime dependency.
// Library packages may depend only on their @mcpwire/* siblings; everything else is a dev dependency.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const problems = []
let checked = 0
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifestPath = join(root, 'packages', dir, 'package.json')
  if (!existsSync(manifestPath)) continue
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  checked++
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (!name.startsWith('@mcpwire/')) problems.push(`${manifest.name}: ${field} has ${name}`)
    }
  }
}
if (checked === 0) problems.push('no library package found under packages/')
if (problems.length > 0) {
  console.error(
    `Library packages must have zero third-party runtime dependencies:\n  ${problems.join('\n  ')}`,
  )
  process.exit(1)
}
console.log(`check:deps: ${checked} library packages, no third-party runtime dependency`)
