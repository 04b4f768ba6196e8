import type { HeaderReader } from '../http/incoming.js'

/**
 * The headers of a `node:http` request read the way a Fetch `Headers` object reads them: names
 * are case-insensitive and repeated fields are combined with `, ` (Node's `req.headers` instead
 * drops repeats of `Host` and others, which would hide a doubled `Host` from the Host check).
 */
export class NodeHeaders implements HeaderReader {
  readonly #raw: readonly string[]
  #values: Map<string, string> | undefined

  /** @param rawHeaders `req.rawHeaders`: names and values, alternating. */
  constructor(rawHeaders: readonly string[]) {
    this.#raw = rawHeaders
  }

  #map(): Map<string, string> {
    if (this.#values !== undefined) return this.#values
    const values = new Map<string, string>()
    const raw = this.#raw
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      if (name.charCodeAt(0) === 0x3a) continue // an HTTP/2 pseudo-header
      const previous = values.get(name)
      values.set(name, previous === undefined ? raw[i + 1]! : `${previous}, ${raw[i + 1]!}`)
    }
    this.#values = values
    return values
  }

  get(name: string): string | null {
    return this.#map().get(name.toLowerCase()) ?? null
  }

  has(name: string): boolean {
    return this.#map().has(name.toLowerCase())
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.#map()) callback(value, name)
  }
}
