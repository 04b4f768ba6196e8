// Runs the official MCP conformance suite (server mode, `--requirements <revision>`) against the
// Workers sample on workerd, for 2026-07-28 (the era Workers serve dependably) and 2025-11-25
// (legacy sessions, which hold here because one workerd isolate serves every request). Every
// scored scenario must pass, and so must the not-scored ones in MUST_ALSO_PASS; the rest (the
// tasks extension, which the SDK does not implement) are only reported. The suite runs on a
// Node 24 from the npm registry (scripts/node-release.mjs). Exits non-zero on any failure.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startWorkerd } from './workerd.mjs'

const SUITE_NODE = '24.22.3'
const REVISIONS = ['2026-07-28', '2025-11-25']
/** Not-scored scenarios that must pass all the same (pending ones). */
const MUST_ALSO_PASS = {
  '2026-07-28': [
    'http-header-validation',
    'http-custom-header-server-validation',
    'json-schema-2020-12',
  ],
  '2025-11-25': ['json-schema-2020-12'],
}

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = join(appDir, '..', '..')
const require = createRequire(join(appDir, 'package.json'))
const suite = join(
  dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
  'dist',
  'index.js',
)
const node = execFileSync(
  process.execPath,
  [join(repoRoot, 'scripts', 'node-release.mjs'), SUITE_NODE],
  {
    encoding: 'utf8',
  },
).trim()

function runSuite(url, revision, outDir) {
  return new Promise((resolve) => {
    const child = spawn(
      node,
      [suite, 'server', '--url', url, '--requirements', revision, '-o', outDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(output)
    })
  })
}

/** The failures that count: scored scenarios, and the not-scored ones that must pass. */
function failures(output, revision) {
  const notScored = new Set()
  const tail = output.slice(output.indexOf('Not scored for'))
  for (const match of tail.matchAll(/^ {2}[✓✗] (\S+) \(([\w-]+)\)$/gmu)) notScored.add(match[1])
  const failed = []
  let scenarios = 0
  for (const match of output.matchAll(/^([✓✗]) (\S+): (\d+ passed, \d+ failed)$/gmu)) {
    scenarios++
    const [, mark, name, checks] = match
    const counts = !notScored.has(name) || MUST_ALSO_PASS[revision].includes(name)
    if (mark === '✗' && counts) failed.push(`${name} (${checks})`)
  }
  if (scenarios === 0) failed.push('no scenario ran')
  return { failed, scenarios, notScored: notScored.size }
}

execFileSync(process.execPath, [join(appDir, 'scripts', 'bundle.mjs')], { cwd: appDir })
const workerd = await startWorkerd()
const resultsDir = join(appDir, 'results')
rmSync(resultsDir, { recursive: true, force: true })
let ok = true
try {
  const started = Date.now()
  const outputs = await Promise.all(
    REVISIONS.map((revision) => {
      const outDir = join(resultsDir, revision)
      mkdirSync(outDir, { recursive: true })
      return runSuite(`${workerd.url}/mcp`, revision, outDir)
    }),
  )
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  for (const [index, revision] of REVISIONS.entries()) {
    const { failed, scenarios, notScored } = failures(outputs[index], revision)
    const verdict = failed.length === 0 ? 'pass' : `FAIL: ${failed.join(', ')}`
    console.log(`workerd ${revision}: ${scenarios} scenarios (${notScored} not scored), ${verdict}`)
    if (failed.length > 0) {
      ok = false
      console.log(outputs[index].slice(-6000))
    }
  }
  console.log(`conformance on workerd took ${seconds} s`)
} finally {
  await workerd.stop()
}
process.exit(ok ? 0 : 1)
