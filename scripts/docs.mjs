// Generates the API reference of every library package with TypeDoc into docs/api, one module per
// export subpath (@mcpwire/server, @mcpwire/server/node, ...). `--check` only converts and
// validates: it fails when an export has no doc comment, a link is broken, or a type the API uses
// is not exported. Packages must be built first (siblings are read from their dist types).
import { join } from 'node:path'
import { Application, ReflectionKind } from 'typedoc'
import { libraryPackages, repoRoot, sourceEntryPoints } from './lib/library-packages.mjs'

const checkOnly = process.argv.includes('--check')

const packages = libraryPackages()
// Packages whose public members are not all documented yet: their API reference is still written,
// but `--check` does not fail on them. Empty this list as each is finished (issue #12: the client).
const NOT_YET_DOCUMENTED = new Set([])
const moduleNames = new Map()
for (const pkg of packages) {
  for (const [subpath, source] of Object.entries(sourceEntryPoints(pkg))) {
    const name = subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}/${subpath.slice(2)}`
    moduleNames.set(join(pkg.dir, source), name)
  }
}

const app = await Application.bootstrapWithPlugins({
  name: 'mcpwire',
  entryPoints: [...moduleNames.keys()],
  entryPointStrategy: 'resolve',
  tsconfig: join(repoRoot, 'tsconfig.docs.json'),
  readme: 'none',
  out: join(repoRoot, 'docs/api'),
  excludePrivate: true,
  // Source links name the public repository, never the clone's own remote (a local path in CI).
  sourceLinkTemplate: 'https://github.com/mcpwire/mcpwire/blob/{gitRevision}/{path}#L{line}',
  gitRevision: 'main',
  excludeInternal: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  // TypeDoc checks documentation only in the packages listed here (by default the one it infers).
  packagesRequiringDocumentation: packages
    .map((pkg) => pkg.manifest.name)
    .filter((name) => !NOT_YET_DOCUMENTED.has(name)),
  treatWarningsAsErrors: true,
  logLevel: 'Warn',
})

const project = await app.convert()
if (!project) process.exit(1)
for (const mod of project.getChildrenByKind(ReflectionKind.Module)) {
  const file = mod.sources?.[0]?.fullFileName
  const name = file && moduleNames.get(file)
  if (name) mod.name = name
}
app.validate(project)
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1)
if (checkOnly) {
  console.log(`docs: ${moduleNames.size} entry points, every export documented`)
} else {
  await app.generateDocs(project, app.options.getValue('out'))
  console.log(`docs: API reference written to ${app.options.getValue('out')}`)
}
