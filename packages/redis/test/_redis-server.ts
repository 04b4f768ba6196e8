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
    const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] })
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.status})`)
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.setTimeout(500)
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.on('error', () => resolve(false))
    socket.on('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MCPWIRE_REDIS_URL
  if (given !== undefined && given !== '') {
    project.provide('redisUrl', given)
    return async () => {}
  }
  let binary = findRedisServer()
  if (binary === undefined) {
    install()
    binary = findRedisServer()
    if (binary === undefined) throw new Error('redis-server is still missing after apt-get')
  }
  const dir = mkdtempSync(join(tmpdir(), 'mcpwire-redis-'))
  const port = await freePort()
  const args = ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const child: ChildProcess = spawn(binary, [...args, '--dir', dir], { stdio: 'ignore' })
  const deadline = Date.now() + 10_000
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not start on 127.0.0.1:${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  project.provide('redisUrl', `redis://127.0.0.1:${port}`)
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }
}
