/**
 * Where the adapter keeps things in Redis. Every key of a session shares the hash tag `{<id>}`, so
 * each script touches one slot:
 *
 * - `<prefix>:{<sid>}` hash: `rec` (fixed record JSON), `replay`, `v`, `ttl`, `l:<lease>`,
 *   `r:<key>` → instance for the request ids in flight, `s:<streamId>` for the session's streams
 * - `<prefix>:{<sid>}:ended` list: ended stream ids, newest first
 * - `<prefix>:{<sid>}:e:<streamId>` list: events `<n>:<json>`, end marker `<n>:`
 * - `<prefix>:{<sid>}:m:<streamId>` hash: `producer`, `n`, `ended`, `q:<key>` pending,
 *   `h:<producer>` latest seq
 * - `<prefix>:{<sid>}:an` hash: the mailbox, key → `<expiry ms> <message JSON>`
 * - `<prefix>:i:<instance>` string: heartbeat
 * - channel `<prefix>:b:<topic>`: the bus
 */
export class KeyLayout {
  readonly prefix: string

  constructor(prefix: string) {
    if (!/^[A-Za-z0-9:_-]+$/.test(prefix)) {
      throw new TypeError('A key prefix has letters, digits, :, _ and - only')
    }
    this.prefix = prefix
  }

  session(sessionId: string): string {
    return `${this.prefix}:{${sessionId}}`
  }

  heartbeat(instance: string): string {
    return `${this.prefix}:i:${instance}`
  }

  channel(topic: string): string {
    return `${this.prefix}:b:${topic}`
  }
}
