// The published library packages: every directory under packages/ with a package.json that is not
// private. Each script that checks or documents packages starts here, so a new package is covered
// without editing any script.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The repository root, as an absolute path without a trailing slash. */
export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

/**
 * Lists the library packages in directory order.
 * @returns `{ dir, relDir, manifest }` for each package: its absolute and repo-relative directory
 *   and its parsed package.json.
 */
export function libraryPackages() {
  const packagesDir = join(repoRoot, 'packages')
  const found = []
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = join(packagesDir, entry.name)
    const manifestPath = join(dir, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    if (manifest.private) continue
    found.push({ dir, relDir: relative(repoRoot, dir), manifest })
  }
  return found.sort((a, b) => a.relDir.localeCompare(b.relDir))
}

/**
 * Maps each subpath of a package's `exports` (except `./package.json`) to the TypeScript source
 * it is built from: `./dist/node/index.d.ts` comes from `./src/node/index.ts`.
 * @param {{ manifest: { name: string, exports?: Record<string, unknown> } }} pkg
 * @returns {Record<string, string>} subpath (`.`, `./node`) to a `./src/...ts` path.
 */
export function sourceEntryPoints(pkg) {
  const entries = {}
  for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? {})) {
    if (subpath === './package.json') continue
    const built = typeof target === 'string' ? target : (target.types ?? target.default)
    const match = /^\.\/dist\/(.+?)(\.d)?\.js$|^\.\/dist\/(.+?)\.d\.ts$/.exec(built ?? '')
    const stem = match?.[1] ?? match?.[3]
    if (!stem)
      throw new Error(`${pkg.manifest.name}: cannot map export ${subpath} (${built}) to src`)
    entries[subpath] = `./src/${stem}.ts`
  }
  return entries
}
