// Runs the official MCP conformance suite (server mode) against the sample apps: for every target
// (the Node, Deno and Bun apps, the Node app with every idle session hibernating after 1 ms, and
// the Node app on the newest release of Node 22, 24 and 26),
// one app serves both `--requirements 2025-11-25` and `--requirements 2026-07-28` on the same /mcp
// endpoint. Every scored scenario must pass, and so must the not-scored ones listed in
// MUST_ALSO_PASS; the rest of the not-scored ones (the tasks extension) are only reported.
// The suite runs on a Node 24 from the npm registry (scripts/node-release.mjs); the system Node
// is left alone. Exits non-zero on any failure.
//
// Environment: CONFORMANCE_TARGETS (comma-separated target names, default all),
// CONFORMANCE_PARALLEL (targets run at once, default 2; both revisions of a target always run
// at once).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Runtime, startApp } from '../src/start-app.js'

/** The Node release the suite runs on (it needs Node 22 or newer). */
const SUITE_NODE = '24.22.3'
/** The spec revisions each app is tested at, against the same endpoint. */
const REVISIONS = ['2025-11-25', '2026-07-28'] as const
type Revision = (typeof REVISIONS)[number]
/**
 * Not-scored scenarios that the sample apps pass and must keep passing: pending ones and one added
 * after the revision was frozen. The tasks extension (not implemented by the SDK) stays report-only.
 */
const MUST_ALSO_PASS: Record<Revision, readonly string[]> = {
  '2025-11-25': ['server-session-lifecycle', 'server-sse-polling', 'json-schema-2020-12'],
  '2026-07-28': [
    'http-header-validation',
    'http-custom-header-server-validation',
    'json-schema-2020-12',
  ],
}

/** One app to run the suite against: a runtime, with extra environment for some runs. */
interface Target {
  readonly name: string
  readonly runtime: Runtime
  readonly env?: Record<string, string>
  /** For the Node app: the Node release to run it on (scripts/node-release.mjs). */
  readonly nodeRelease?: string
}
const targets: Target[] = [
  { name: 'node', runtime: 'node' },
  { name: 'deno', runtime: 'deno' },
  { name: 'bun', runtime: 'bun' },
  { name: 'node-hibernating', runtime: 'node', env: { HIBERNATE_AFTER_MS: '1' } },
  // The Node app on the newest release of every other maintained line (scripts/node-lines.mjs).
  ...['22.23.5', '24.22.3', '26.12.1'].map((release) => ({
    name: `node-${release}`,
    runtime: 'node' as const,
    nodeRelease: release,
  })),
]

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, '..', '..', '..')
const suite = join(
  here,
  '..',
  '..',
  'node',
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
)
const resultsDir = join(here, '..', 'results')
if (!existsSync(suite)) throw new Error(`conformance suite not installed at ${suite}`)
const suiteNode = execFileSync(
  process.execPath,
  [join(repoRoot, 'scripts', 'node-release.mjs'), SUITE_NODE],
  { encoding: 'utf8' },
).trim()

/** One scenario's outcome as the suite prints it. */
interface Scenario {
  readonly passed: boolean
  readonly checks: string
  /** Why it is not scored (`pending`, `extension`, `added-after-release`), if it is not. */
  readonly notScored?: string
}

/** What one run of the suite (one target, one revision) found. */
interface RunResult {
  readonly scenarios: Record<string, Scenario>
  readonly checksPassed: number
  readonly checksFailed: number
  readonly seconds: number
  readonly problems: string[]
}

function runSuite(url: string, revision: Revision, outDir: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      suiteNode,
      [suite, 'server', '--url', url, '--requirements', revision, '-o', outDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Reads the suite's summary: `✓ name: 3 passed, 0 failed`, then the not-scored list. */
function parse(output: string): Pick<RunResult, 'scenarios' | 'checksPassed' | 'checksFailed'> {
  const notScored = new Map<string, string>()
  const tail = output.slice(output.indexOf('Not scored for'))
  for (const match of tail.matchAll(/^ {2}[✓✗] (\S+) \(([\w-]+)\)$/gmu))
    notScored.set(match[1]!, match[2]!)
  const scenarios: Record<string, Scenario> = {}
  for (const match of output.matchAll(/^([✓✗]) (\S+): (\d+ passed, \d+ failed)$/gmu)) {
    const name = match[2]!
    const kind = notScored.get(name)
    scenarios[name] = {
      passed: match[1] === '✓',
      checks: match[3]!,
      ...(kind === undefined ? {} : { notScored: kind }),
    }
  }
  const total = /^Total: (\d+) passed, (\d+) failed/m.exec(output)
  return {
    scenarios,
    checksPassed: Number(total?.[1] ?? 0),
    checksFailed: Number(total?.[2] ?? 0),
  }
}

/** Starts the target's app, runs both revisions against it at once, stops it. */
async function runTarget(target: Target): Promise<Record<Revision, RunResult>> {
  const app = await startApp(target.runtime, 60_000, target.env, {
    nodeRelease: target.nodeRelease,
  })
  const results = {} as Record<Revision, RunResult>
  try {
    await Promise.all(
      REVISIONS.map(async (revision) => {
        const started = performance.now()
        const outDir = join(resultsDir, target.name, revision)
        rmSync(outDir, { recursive: true, force: true })
        const { code, output } = await runSuite(`${app.url}/mcp`, revision, outDir)
        const parsed = parse(output)
        const problems: string[] = []
        const scored = Object.entries(parsed.scenarios).filter(([, s]) => !s.notScored)
        if (scored.length === 0) problems.push('no scored scenario ran')
        for (const [name, s] of scored) if (!s.passed) problems.push(`✗ ${name}: ${s.checks}`)
        for (const name of MUST_ALSO_PASS[revision]) {
          const s = parsed.scenarios[name]
          if (s === undefined) problems.push(`${name} did not run`)
          else if (!s.passed) problems.push(`✗ ${name} (${s.notScored}): ${s.checks}`)
        }
        if (code !== 0) problems.push(`the suite exited with code ${code}`)
        mkdirSync(outDir, { recursive: true })
        writeFileSync(join(outDir, 'output.txt'), output)
        if (problems.length > 0) problems.push(`suite output: ${join(outDir, 'output.txt')}`)
        results[revision] = {
          ...parsed,
          seconds: (performance.now() - started) / 1000,
          problems,
        }
      }),
    )
  } finally {
    const code = await app.stop()
    if (code !== 0) results[REVISIONS[0]].problems.push(`the app exited with code ${code}`)
  }
  // The app says at shutdown how many sessions hibernate: none would mean the run tested nothing.
  if (target.env?.HIBERNATE_AFTER_MS !== undefined) {
    const hibernating = /\((\d+) hibernating\)/.exec(app.output())?.[1]
    if (!(Number(hibernating) > 0)) {
      results[REVISIONS[0]].problems.push(
        `no session hibernated (the app reported ${hibernating ?? 'nothing'})`,
      )
    }
  }
  return results
}

/** Runs `work` over `items`, at most `parallel` at a time, keeping the input order. */
async function pool<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker))
  return results
}

const wanted = process.env.CONFORMANCE_TARGETS?.split(',').filter(Boolean)
const selected = wanted ? targets.filter((t) => wanted.includes(t.name)) : targets
if (selected.length === 0) throw new RangeError(`No target named ${wanted?.join(', ')}`)
const parallel = Number(process.env.CONFORMANCE_PARALLEL ?? 2)
if (!(Number.isInteger(parallel) && parallel >= 1))
  throw new RangeError(`Invalid CONFORMANCE_PARALLEL ${process.env.CONFORMANCE_PARALLEL}`)

mkdirSync(resultsDir, { recursive: true })
const started = performance.now()
const outcomes = await pool(selected, parallel, async (target) => {
  try {
    return { target, results: await runTarget(target) }
  } catch (error) {
    return { target, error: String(error) }
  }
})
const totalSeconds = (performance.now() - started) / 1000

let failed = false
const lines: string[] = []
const summary: Record<string, unknown> = {}
for (const outcome of outcomes) {
  if ('error' in outcome) {
    failed = true
    lines.push(`${outcome.target.name}: ${outcome.error}`)
    continue
  }
  summary[outcome.target.name] = outcome.results
  for (const revision of REVISIONS) {
    const run = outcome.results[revision]
    const entries = Object.values(run.scenarios)
    const passed = (list: Scenario[]) => `${list.filter((s) => s.passed).length}/${list.length}`
    const kinds = [...new Set(entries.map((s) => s.notScored).filter((k) => k !== undefined))]
    const scoredChecks = entries
      .filter((s) => !s.notScored)
      .reduce((sum, s) => sum + Number(/^\d+/.exec(s.checks)?.[0]), 0)
    lines.push(
      `${outcome.target.name} ${revision}: scored ${passed(entries.filter((s) => !s.notScored))}` +
        ` (${scoredChecks} checks passed)` +
        kinds
          .map((kind) => `, ${kind} ${passed(entries.filter((s) => s.notScored === kind))}`)
          .join('') +
        `; checks ${run.checksPassed} passed, ${run.checksFailed} failed; ${run.seconds.toFixed(1)} s`,
    )
    for (const problem of run.problems) lines.push(`  ${problem}`)
    if (run.problems.length > 0) failed = true
  }
}
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
console.log(
  `\nMCP conformance (server; --requirements ${REVISIONS.join(' and ')})\n${lines.join('\n')}` +
    `\ntotal ${totalSeconds.toFixed(1)} s (${parallel} target(s) at a time)`,
)
process.exit(failed ? 1 : 0)
