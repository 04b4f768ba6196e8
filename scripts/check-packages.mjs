// Checks what a user installs, for every library package under packages/ (packages must be built):
// LICENSE and metadata in package.json; a `mcpwire-source` condition on every export (the sample
// apps' `pnpm start` runs the sources); the npm tarball (`npm pack --dry-run`) holds LICENSE, no
// test files, and every source map points at files inside the tarball; jsr.json matches
// package.json; `deno publish --dry-run` passes (offline: sibling packages resolve through the
// Deno workspace in packages/deno.json, nothing is fetched from jsr.io).
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { promisify } from 'node:util'
import { libraryPackages, repoRoot } from './lib/library-packages.mjs'
import { expectedJsrConfig } from './sync-jsr.mjs'

const run = promisify(execFile)
const rootLicense = readFileSync(join(repoRoot, 'LICENSE'), 'utf8')

async function checkPackage(pkg) {
  const problems = []
  const m = pkg.manifest
  const say = (text) => problems.push(`${m.name}: ${text}`)

  if (!existsSync(join(pkg.dir, 'LICENSE'))) say('no LICENSE file')
  else if (readFileSync(join(pkg.dir, 'LICENSE'), 'utf8') !== rootLicense)
    say('LICENSE differs from the root LICENSE')
  if (m.license !== 'MIT') say('license is not MIT')
  if (m.repository?.directory !== pkg.relDir || !m.repository?.url)
    say(`repository.directory must be ${pkg.relDir}`)
  if (!m.homepage) say('no homepage')
  if (!m.bugs?.url) say('no bugs.url')
  if (!Array.isArray(m.keywords) || m.keywords.length === 0) say('no keywords')
  if (m.sideEffects !== false) say('sideEffects is not false')
  if (!m.files?.includes('LICENSE')) say('files does not list LICENSE')

  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: pkg.dir,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  })
  const files = new Set(JSON.parse(stdout)[0].files.map((f) => f.path))
  if (!files.has('LICENSE')) say('LICENSE is not in the tarball')
  for (const file of files) {
    if (/\.test\.[cm]?[jt]s$/.test(file)) say(`the tarball holds a test file, ${file}`)
    if (!file.endsWith('.map')) continue
    const map = JSON.parse(readFileSync(join(pkg.dir, file), 'utf8'))
    for (const source of map.sources) {
      const target = normalize(join(dirname(file), map.sourceRoot ?? '', source))
      if (!files.has(target)) say(`${file} points at ${source}, which is not in the tarball`)
    }
  }
  for (const [subpath, target] of Object.entries(m.exports ?? {})) {
    // `pnpm start` runs the sample apps on the sources through this condition, building nothing.
    if (subpath !== './package.json' && typeof target === 'object' && !target['mcpwire-source'])
      say(`export ${subpath} has no "mcpwire-source" condition (pnpm start would need dist)`)
    for (const path of typeof target === 'string' ? [target] : Object.values(target)) {
      if (!files.has(normalize(path)))
        say(`export ${subpath} (${path}) is not in the tarball (not built?)`)
    }
  }

  const jsrPath = join(pkg.dir, 'jsr.json')
  const jsr = existsSync(jsrPath) ? JSON.parse(readFileSync(jsrPath, 'utf8')) : undefined
  if (JSON.stringify(jsr) !== JSON.stringify(expectedJsrConfig(pkg))) {
    say('jsr.json is missing or out of date (run node scripts/sync-jsr.mjs)')
  } else {
    const deno = [pkg.dir, repoRoot]
      .map((dir) => join(dir, 'node_modules/.bin/deno'))
      .find(existsSync)
    try {
      await run(deno, ['publish', '--dry-run', '--allow-dirty', '--sloppy-imports', '--quiet'], {
        cwd: pkg.dir,
        env: { ...process.env, NO_COLOR: '1' },
      })
    } catch (error) {
      say(`deno publish --dry-run failed:\n${error.stderr || error.message}`)
    }
  }
  return problems
}

const packages = libraryPackages()
const problems = (await Promise.all(packages.map(checkPackage))).flat()
if (packages.length === 0) problems.push('no library package found under packages/')
if (problems.length > 0) {
  console.error(`check:packages found problems:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `check:packages: ${packages.length} packages: metadata, LICENSE, tarball, source maps, jsr.json, deno publish --dry-run`,
)
