// Runs dist/worker.js on workerd (the open-source Workers runtime, from the npm package `workerd`)
// at 127.0.0.1:<port>, with a generated config. `node scripts/workerd.mjs [port]` serves until
// SIGINT/SIGTERM; tests import startWorkerd().
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(appDir, 'package.json'))

/** The workerd binary of the installed `workerd` package. */
function workerdBinary() {
  const fromWorkerd = createRequire(require.resolve('workerd/package.json'))
  const platform = fromWorkerd.resolve('@cloudflare/workerd-linux-64/package.json')
  return join(dirname(platform), 'bin', 'workerd')
}

/** A free TCP port on 127.0.0.1 (closed again before workerd binds it). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

/** The config: one worker from `worker.js` beside the config file (embed paths are relative). */
function config() {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2026-07-01",
);
`
}

/**
 * Starts workerd serving dist/worker.js and waits until it answers.
 * @param {number} [port] Default: a free port.
 * @returns {Promise<{ url: string, output: () => string, stop: () => Promise<void> }>}
 */
export async function startWorkerd(port) {
  // A free port can be taken by another process between our check and workerd's bind (test
  // files run side by side): then workerd exits at once, and a port we chose is chosen again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(port ?? (await freePort()))
    } catch (error) {
      if (
        port !== undefined ||
        attempt === 3 ||
        !/address already in use|EADDRINUSE/i.test(String(error))
      )
        throw error
      console.log(`[workerd] the port was taken, starting on another one (${attempt}/3)`)
    }
  }
}

/** Starts workerd on `listenPort` and waits until it answers; rejects when it exits first. */
async function startOn(listenPort) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpwire-workerd-'))
  const configPath = join(dir, 'config.capnp')
  copyFileSync(join(appDir, 'dist', 'worker.js'), join(dir, 'worker.js'))
  writeFileSync(configPath, config())
  const child = spawn(
    workerdBinary(),
    ['serve', configPath, `--socket-addr=http=127.0.0.1:${listenPort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const url = `http://127.0.0.1:${listenPort}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`workerd exited with code ${child.exitCode}:\n${output}`)
    }
    try {
      // Bounded: a server that took the port first may accept and never answer.
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })
      // Another server answering on a port workerd could not bind: workerd is gone by now.
      await new Promise((r) => setTimeout(r, 50))
      if (child.exitCode !== null) continue
      return { url, output: () => output, stop }
    } catch {
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`workerd did not listen within 30 s:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const running = await startWorkerd(Number(process.argv[2] ?? process.env.PORT ?? 8787))
  console.log(`mcpwire sample (workerd) listening on ${running.url}`)
  const shutdown = async () => {
    await running.stop()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
