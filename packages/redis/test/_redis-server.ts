// vitest globalSetup: a real Redis for the tests. Uses MCPWIRE_REDIS_URL when set; otherwise
// starts Debian's redis-server (installing it with apt-get when missing, as CI runs as root on a
// fresh machine) on a free loopback port, without persistence, and stops it afterwards.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
    /** The redis-server binary the setup started, or '' when MCPWIRE_REDIS_URL was given. */
    redisServer: string
  }
}

function findRedisServer(): string | undefined {
  for (const path of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (spawnSync(path, ['--version']).status === 0) return path
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  return which.status === 0 ? which.stdout.trim() : undefined
}

function install(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'redis-server is missing: install it (apt-get install -y redis-server) or set MCPWIRE_REDIS_URL',
    )
  }
  console.log('[redis tests] installing redis-server with apt-get')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
    const run = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.status})`)
  }
}

/**
 * The process id of the Redis answering on 127.0.0.1:`port` (from `INFO server`), or undefined
 * when nothing answers yet. Tells our redis-server from another run's that took the port first.
 */
function serverPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (pid: number | undefined) => {
      socket.destroy()
      resolve(pid)
    }
    socket.setTimeout(500)
    socket.on('connect', () => socket.write('INFO server\r\n'))
    socket.on('data', (data) => {
      reply += data.toString()
      const match = /^process_id:(\d+)\r$/m.exec(reply)
      if (match !== null) done(Number(match[1]))
      else if (reply.startsWith('-')) done(undefined)
    })
    socket.on('error', () => done(undefined))
    socket.on('timeout', () => done(undefined))
  })
}

/** A running redis-server on 127.0.0.1 without persistence. */
export interface RedisServerProcess {
  readonly port: number
  readonly url: string
  /** Stops it (SIGTERM, then SIGKILL after 3 s) and removes its directory. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

/**
 * Starts `binary` on `port` (default: a free one) and waits until it answers as itself: a free
 * port can be taken by another process between our check and redis-server's bind (several test
 * runs side by side); then a default port is replaced by another free one, up to 3 times.
 */
export async function startRedisServer(binary: string, port?: number): Promise<RedisServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpwire-redis-'))
  for (let attempt = 1; ; attempt++) {
    const listen = port ?? (await freePort())
    const args = ['--port', `${listen}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    const child: ChildProcess = spawn(binary, [...args, '--dir', dir], { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    while (child.exitCode === null && Date.now() <= deadline) {
      if ((await serverPid(listen)) === child.pid) return running(child, listen, dir)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    child.kill('SIGKILL')
    if (port !== undefined || attempt === 3) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`redis-server did not start on 127.0.0.1:${listen}`)
    }
    console.log(
      `[redis tests] 127.0.0.1:${listen} was taken, starting redis-server on another port`,
    )
  }
}

function running(child: ChildProcess, listen: number, dir: string): RedisServerProcess {
  return {
    port: listen,
    url: `redis://127.0.0.1:${listen}`,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill(signal)
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The redis-server binary, installed with apt-get first when missing. */
export function ensureRedisServer(): string {
  let binary = findRedisServer()
  if (binary === undefined) {
    install()
    binary = findRedisServer()
    if (binary === undefined) throw new Error('redis-server is still missing after apt-get')
  }
  return binary
}

/** A free loopback port (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MCPWIRE_REDIS_URL
  if (given !== undefined && given !== '') {
    project.provide('redisUrl', given)
    project.provide('redisServer', findRedisServer() ?? '')
    return async () => {}
  }
  const binary = ensureRedisServer()
  const server = await startRedisServer(binary)
  project.provide('redisUrl', server.url)
  project.provide('redisServer', binary)
  return () => server.stop()
}
