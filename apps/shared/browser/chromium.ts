// A headless Debian chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
// JSON messages ending in a NUL byte, read from fd 3 and written to fd 4): no WebSocket, no
// browser download, no dependency.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'

const EXECUTABLE = '/usr/bin/chromium'

/**
 * The path of Debian's chromium, installed with apt-get when missing (the test setup runs as
 * root). Throws when it cannot be installed.
 */
export function ensureChromium(): string {
  if (existsSync(EXECUTABLE)) return EXECUTABLE
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], {
    stdio: 'ignore',
    env,
  })
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', 'chromium'], {
    stdio: 'ignore',
    env,
  })
  if (!existsSync(EXECUTABLE)) throw new Error(`apt-get installed no ${EXECUTABLE}`)
  return EXECUTABLE
}

interface Pending {
  resolve(result: Record<string, unknown>): void
  reject(error: Error): void
}

/** One headless browser and the DevTools commands the tests need. */
export class Chromium {
  readonly #child: ChildProcess
  readonly #profile: string
  readonly #out: Writable
  readonly #pending = new Map<number, Pending>()
  readonly #eventWaiters: { method: string; sessionId: string; resolve(): void }[] = []
  #nextId = 1
  #buffer = ''

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child
    this.#profile = profile
    this.#out = child.stdio[3] as Writable
    const input = child.stdio[4] as Readable
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => this.#receive(chunk))
    child.once('exit', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('chromium exited'))
      this.#pending.clear()
    })
  }

  /** Launches a headless chromium with a throw-away profile. */
  static launch(): Chromium {
    const executable = ensureChromium()
    const profile = mkdtempSync(join(tmpdir(), 'mcpwire-chromium-'))
    const child = spawn(
      executable,
      [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      // Its own process group, so that close() can end the helper processes that write to the profile too.
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true },
    )
    return new Chromium(child, profile)
  }

  #receive(chunk: string): void {
    this.#buffer += chunk
    let end = this.#buffer.indexOf('\0')
    while (end !== -1) {
      const message = JSON.parse(this.#buffer.slice(0, end)) as {
        id?: number
        method?: string
        sessionId?: string
        result?: Record<string, unknown>
        error?: { message: string }
      }
      this.#buffer = this.#buffer.slice(end + 1)
      end = this.#buffer.indexOf('\0')
      if (message.id === undefined) {
        const index = this.#eventWaiters.findIndex(
          (waiter) => waiter.method === message.method && waiter.sessionId === message.sessionId,
        )
        if (index !== -1) this.#eventWaiters.splice(index, 1)[0]!.resolve()
        continue
      }
      const pending = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (message.error !== undefined) pending?.reject(new Error(message.error.message))
      else pending?.resolve(message.result ?? {})
    }
  }

  /** Sends one DevTools command (to a page when `sessionId` is given) and resolves with its result. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#out.write(`${JSON.stringify({ id, method, params, sessionId })}\0`)
    })
  }

  /**
   * Opens `url` in a new tab and evaluates `expression` there, awaiting it when it is a promise.
   *
   * @returns The expression's value (JSON-serialisable).
   */
  async evaluateIn(url: string, expression: string): Promise<unknown> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string
    }
    const { sessionId } = (await this.send('Target.attachToTarget', {
      targetId,
      flatten: true,
    })) as { sessionId: string }
    try {
      await this.send('Page.enable', {}, sessionId)
      const loaded = new Promise<void>((resolve) =>
        this.#eventWaiters.push({ method: 'Page.loadEventFired', sessionId, resolve }),
      )
      await this.send('Page.navigate', { url }, sessionId)
      await loaded
      const { result, exceptionDetails } = (await this.send(
        'Runtime.evaluate',
        { expression, awaitPromise: true, returnByValue: true },
        sessionId,
      )) as { result: { value?: unknown }; exceptionDetails?: { text: string } }
      if (exceptionDetails !== undefined) throw new Error(exceptionDetails.text)
      return result.value
    } finally {
      await this.send('Target.closeTarget', { targetId })
    }
  }

  /**
   * Closes the browser and removes its profile.
   *
   * Asks chromium to close through DevTools first, so that it flushes its profile and exits;
   * then ends whatever is left of its process group (crash handler, utility processes), which
   * could otherwise still be writing to the profile as it is removed.
   */
  async close(): Promise<void> {
    const child = this.#child
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      this.send('Browser.close').catch(() => {})
      const terminate = setTimeout(() => child.kill('SIGTERM'), 3000)
      const kill = setTimeout(() => child.kill('SIGKILL'), 8000)
      await exited
      clearTimeout(terminate)
      clearTimeout(kill)
    }
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // The group is already gone.
    }
    rmSync(this.#profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 })
  }
}
