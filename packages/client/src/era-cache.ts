/** Which era a server at one URL spoke when a client last negotiated with it. */
export type EraVerdict = 'stateless' | 'session' | 'legacy'

/**
 * Where {@link connect} keeps the era it negotiated per server (origin and path), as the
 * 2026-07-28 versioning page advises, so that the next `connect()` with `protocolVersion: 'auto'`
 * to a server it knows speaks 2025 goes straight to `initialize`, without the `server/discover`
 * probe. Give your own (say one kept in `localStorage`), or `false` to negotiate every time; the
 * default is one in-memory store per process ({@link createMemoryEraStore}).
 *
 * @example
 * ```ts
 * const eraStore: EraStore = {
 *   get: (key) => (localStorage.getItem(`mcp-era:${key}`) as EraVerdict | null) ?? undefined,
 *   set: (key, era) => localStorage.setItem(`mcp-era:${key}`, era),
 *   delete: (key) => localStorage.removeItem(`mcp-era:${key}`),
 * }
 * const client = await connect('https://example.com/mcp', { eraStore })
 * ```
 */
export interface EraStore {
  /** The verdict stored for `key`, if any. */
  get(key: string): EraVerdict | undefined | Promise<EraVerdict | undefined>
  /** Stores the verdict for `key`. */
  set(key: string, era: EraVerdict): void | Promise<void>
  /** Forgets `key` (its verdict led to a failed connect). */
  delete(key: string): void | Promise<void>
}

/**
 * An in-memory {@link EraStore} that keeps the `limit` most recently stored servers.
 *
 * @example
 * ```ts
 * const client = await connect(url, { eraStore: createMemoryEraStore(16) })
 * ```
 */
export function createMemoryEraStore(limit = 256): EraStore {
  const verdicts = new Map<string, EraVerdict>()
  return {
    get: (key) => verdicts.get(key),
    set(key, era) {
      verdicts.delete(key) // re-inserted as the newest
      verdicts.set(key, era)
      if (verdicts.size > limit) verdicts.delete(verdicts.keys().next().value as string)
    },
    delete(key) {
      verdicts.delete(key)
    },
  }
}

/** The store `connect()` uses when given none. */
export const DEFAULT_ERA_STORE: EraStore = createMemoryEraStore()

/** The key of a server in an {@link EraStore}: its origin and path (no query, no fragment). */
export function eraKey(url: string | URL): string {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}
