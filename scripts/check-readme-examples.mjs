// Runs the first TypeScript example of every library package README as a user would paste it:
// type-checks it (strict tsc, the package's own tsconfig) and runs it with tsx. Each `// prints: X`
// comment must appear in its output. An example that starts a server is run with port 0 instead of
// 3000 (the machine may have 3000 taken), must print its URL, and must answer an MCP initialize
// on it. An example that connects to http://127.0.0.1:3000/mcp runs against the server package's
// own README example, started on a free port; one that reads REDIS_URL gets a redis-server of its
// own on a free loopback port (installed by @mcpwire/redis's tests, which run before this). The
// package imports itself by name, so packages must be built first.
import { execFile, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { libraryPackages, repoRoot } from './lib/library-packages.mjs'

const run = promisify(execFile)

/** The first ```ts block of a markdown text, or undefined. */
export function firstTypeScriptExample(markdown) {
  return /^```ts\n([\s\S]*?)^```$/m.exec(markdown)?.[1]
}

async function checkExample(pkg) {
  const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8')
  const head = readme.split('\n## ')[0]
  const problems = []
  if (
    !/```sh\nnpm install @mcpwire\//.test(head) ||
    !head.includes(`npm install ${pkg.manifest.name}`)
  ) {
    problems.push(`README does not open with "npm install ${pkg.manifest.name}"`)
  }
  const code = firstTypeScriptExample(head)
  if (!code) return [...problems, 'README has no TypeScript example before its first section']

  const dir = join(pkg.dir, '.readme-example')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  const cleanups = []
  try {
    const server = /port: 3000/.test(code)
    const env = { ...process.env }
    let source = server ? code.replace('port: 3000', 'port: 0') : code
    if (!server && source.includes('http://127.0.0.1:3000/mcp')) {
      const host = await hostServerExample()
      cleanups.push(host.stop)
      source = source.replaceAll('http://127.0.0.1:3000/mcp', host.url)
    }
    if (source.includes('process.env.REDIS_URL')) {
      const redis = await startRedis()
      cleanups.push(redis.stop)
      env.REDIS_URL = redis.url
    }
    writeFileSync(join(dir, 'example.ts'), source)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noEmit: true },
        include: ['example.ts'],
      }),
    )
    try {
      await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], {
        cwd: dir,
      })
    } catch (error) {
      problems.push(`example does not type-check:\n${error.stdout}${error.stderr}`)
    }
    const tsx = join(pkg.dir, 'node_modules/.bin/tsx')
    const result = await runExample(tsx, dir, server, env)
    if (result.problem) problems.push(result.problem)
    for (const [, expected] of code.matchAll(/\/\/ prints: (.+)$/gm)) {
      if (!result.out.includes(expected))
        problems.push(`example did not print ${expected}:\n${result.out}`)
    }
  } finally {
    for (const stop of cleanups) stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return problems.map((text) => `${pkg.manifest.name}: ${text}`)
}

const mcpUrl = /http:\/\/[^\s)]+\/mcp/

// Runs the example for at most 60 s. A server example must print its /mcp URL and answer an MCP
// initialize there; it is then stopped. Any other example must exit with code 0.
function runExample(tsx, dir, server, env = process.env) {
  const child = spawn(tsx, ['example.ts'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.on('error', () => {}) // a missing tsx shows as the exit below
  let out = ''
  return new Promise((resolve) => {
    let settled = false
    const finish = (problem) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGTERM')
      resolve({ out, problem })
    }
    const timer = setTimeout(() => finish(`example still running after 60 s:\n${out}`), 60_000)
    child.stderr.on('data', (chunk) => {
      out += chunk
    })
    child.stdout.on('data', (chunk) => {
      out += chunk
      const url = server && mcpUrl.exec(out)?.[0]
      if (url)
        initialize(url).then(finish, (error) => finish(`initialize failed: ${error.message}`))
    })
    child.on('exit', (code) => {
      if (server) finish(`example server exited (${code}) before answering:\n${out}`)
      else finish(code === 0 ? undefined : `example exited with ${code}:\n${out}`)
    })
  })
}

async function initialize(url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'readme-check', version: '1' },
      },
    }),
  })
  const text = await response.text()
  if (response.status !== 200 || !text.includes('"serverInfo"')) {
    return `example server answered initialize with ${response.status}: ${text}`
  }
  return undefined
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const packages = libraryPackages()
  const problems = (await Promise.all(packages.map(checkExample))).flat()
  if (problems.length > 0) {
    console.error(`README examples:\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
  console.log(
    `check:readmes: the first example of ${packages.length} package READMEs type-checks and runs`,
  )
}

/** Starts the server package's README example on a free port; resolves with its /mcp URL. */
async function hostServerExample() {
  const pkg = libraryPackages().find((p) => p.manifest.name === '@mcpwire/server')
  const code = firstTypeScriptExample(readFileSync(join(pkg.dir, 'README.md'), 'utf8'))
  const dir = join(pkg.dir, '.readme-example-host')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  writeFileSync(join(dir, 'example.ts'), code.replace('port: 3000', 'port: 0'))
  const child = spawn(join(pkg.dir, 'node_modules/.bin/tsx'), ['example.ts'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = () => {
    child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  let out = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server URL after 60 s: ${out}`)), 60_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const found = mcpUrl.exec(out)?.[0]
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    })
    child.on('exit', (code) => reject(new Error(`server example exited (${code}): ${out}`)))
  }).catch((error) => {
    stop()
    throw error
  })
  return { url, stop }
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/** Starts a throwaway redis-server on a free loopback port; resolves once it accepts PING. */
async function startRedis() {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const failed = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server: ${error.message}`)))
  })
  const stop = () => child.kill('SIGTERM')
  for (let i = 0; i < 100; i++) {
    const up = await Promise.race([
      failed,
      run('redis-cli', ['-p', String(port), 'ping']).then(
        ({ stdout }) => stdout.trim() === 'PONG',
        () => false,
      ),
    ]).catch((error) => {
      stop()
      throw error
    })
    if (up) return { url: `redis://127.0.0.1:${port}`, stop }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  stop()
  throw new Error('redis-server did not answer PING within 10 s')
}
