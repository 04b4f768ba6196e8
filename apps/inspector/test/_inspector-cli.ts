// The MCP Inspector, installed on first use from the npm registry into .cache/inspector/<version>/
// at the repository root (reused afterwards), so the workspace install stays lean: it pulls over
// 100 MB (web UI, TUI) that nothing else needs.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const INSPECTOR_VERSION = '2.12.0'
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/**
 * The path of the Inspector's launcher script (`mcp-inspector`), installing the package first
 * when it is not in the cache.
 */
export async function inspectorLauncher(version = INSPECTOR_VERSION): Promise<string> {
  const dir = join(repositoryRoot, '.cache', 'inspector', version)
  const launcher = join(
    dir,
    'node_modules',
    '@modelcontextprotocol',
    'inspector',
    'clients',
    'launcher',
    'build',
    'index.js',
  )
  if (existsSync(launcher)) return launcher
  // Install into a scratch folder and rename it into place: a concurrent caller never sees half.
  const scratch = `${dir}.${process.pid}.tmp`
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(scratch, { recursive: true })
  await promisify(execFile)('npm', [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
    '--prefix',
    scratch,
    `@modelcontextprotocol/inspector@${version}`,
  ])
  if (existsSync(launcher)) rmSync(scratch, { recursive: true, force: true })
  else renameSync(scratch, dir)
  return launcher
}
