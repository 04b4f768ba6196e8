// Writes each library package's jsr.json from its package.json: name, version, license, and the
// exports mapped to their TypeScript sources. Run after `changeset version` (pnpm version-packages
// does), or to create jsr.json for a new package. `--check` fails instead of writing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { libraryPackages, sourceEntryPoints } from './lib/library-packages.mjs'

/**
 * The jsr.json a package should have.
 * @param {ReturnType<typeof libraryPackages>[number]} pkg
 */
export function expectedJsrConfig(pkg) {
  return {
    name: pkg.manifest.name,
    version: pkg.manifest.version,
    license: pkg.manifest.license,
    exports: sourceEntryPoints(pkg),
    publish: {
      include: ['src', 'README.md', 'LICENSE'],
      exclude: ['src/**/*.test.ts'],
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const checkOnly = process.argv.includes('--check')
  const stale = []
  for (const pkg of libraryPackages()) {
    const path = join(pkg.dir, 'jsr.json')
    const text = `${JSON.stringify(expectedJsrConfig(pkg), null, 2)}\n`
    const current = existsSync(path) ? JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))) : ''
    if (current === JSON.stringify(expectedJsrConfig(pkg))) continue
    if (checkOnly) stale.push(`${pkg.relDir}/jsr.json`)
    else writeFileSync(path, text)
  }
  if (stale.length > 0) {
    console.error(`Out of date (run node scripts/sync-jsr.mjs): ${stale.join(', ')}`)
    process.exit(1)
  }
}
