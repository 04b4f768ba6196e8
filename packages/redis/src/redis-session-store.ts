import type {
  LeaseMode,
  LeaseResult,
  ReplayState,
  RequestClaim,
  SessionRecord,
  SessionStore,
} from '@mcpwire/server'
import {
  checkTtlMs,
  MAX_STORED_ANSWER_BYTES,
  MAX_STORED_ANSWERS,
  replayStateText,
  sessionRecordText,
} from '@mcpwire/server'
import type { CommandRunner } from './command-runner.js'
import type { KeyLayout } from './key-layout.js'
import {
  CREATE,
  DELETE_SESSION,
  LEASE,
  RELEASE_LEASE,
  TOUCH,
  UPDATE_REPLAY,
} from './lua-scripts.js'
import { STORE_ANSWER, TAKE_ANSWERS } from './mailbox-scripts.js'

/** The Redis {@link SessionStore}: one hash per session, Lua for every atomic step. */
export class RedisSessionStore implements SessionStore {
  readonly #run: CommandRunner
  readonly #keys: KeyLayout

  constructor(run: CommandRunner, keys: KeyLayout) {
    this.#run = run
    this.#keys = keys
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    checkTtlMs(ttlMs)
    const { fixed, replay } = sessionRecordText(record)
    const args = [ttlMs, fixed, replay, record.replayVersion]
    return Number(await this.#run.script(CREATE, this.#keys.session(record.id), args)) === 1
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const reply = await this.#run.send('HMGET', [this.#keys.session(id), 'rec', 'replay', 'v'])
    const [fixed, replay, version] = reply as (string | null)[]
    if (typeof fixed !== 'string' || typeof replay !== 'string') return undefined
    return { ...JSON.parse(fixed), replay: JSON.parse(replay), replayVersion: Number(version) }
  }

  async touch(
    id: string,
    ttlMs: number,
    claim?: RequestClaim,
  ): Promise<number | 'gone' | 'duplicate'> {
    checkTtlMs(ttlMs)
    const args = [ttlMs, claim?.instance ?? '', ...(claim?.requestIds ?? [])]
    const reply = Number(await this.#run.script(TOUCH, this.#keys.session(id), args))
    return reply === -1 ? 'gone' : reply === -2 ? 'duplicate' : reply
  }

  async updateReplay(
    id: string,
    replay: ReplayState,
    expected: number,
  ): Promise<number | undefined> {
    const args = [replayStateText(replay), expected]
    const reply = Number(await this.#run.script(UPDATE_REPLAY, this.#keys.session(id), args))
    return reply === -1 ? undefined : reply
  }

  async delete(id: string): Promise<boolean> {
    return Number(await this.#run.script(DELETE_SESSION, this.#keys.session(id), [])) === 1
  }

  async lease(
    sessionId: string,
    name: string,
    holder: string,
    ttlMs: number,
    mode: LeaseMode,
  ): Promise<LeaseResult> {
    checkTtlMs(ttlMs)
    const args = [name, holder, ttlMs, mode]
    const reply = (await this.#run.script(LEASE, this.#keys.session(sessionId), args)) as unknown[]
    const ok = Number(reply[0]) === 1
    const previous = String(reply[1] ?? '')
    return previous === '' ? { ok } : { ok, previous }
  }

  async releaseLease(sessionId: string, name: string, holder: string): Promise<void> {
    await this.#run.script(RELEASE_LEASE, this.#keys.session(sessionId), [name, holder])
  }

  async heartbeat(instance: string, ttlMs: number): Promise<void> {
    const key = this.#keys.heartbeat(instance)
    if (ttlMs > 0) await this.#run.send('SET', [key, '1', 'PX', `${Math.ceil(ttlMs)}`])
    else await this.#run.send('DEL', [key])
  }

  async isAlive(instance: string): Promise<boolean> {
    return Number(await this.#run.send('EXISTS', [this.#keys.heartbeat(instance)])) === 1
  }

  async storeAnswer(
    sessionId: string,
    key: string,
    message: string,
    ttlMs: number,
  ): Promise<boolean> {
    checkTtlMs(ttlMs)
    const args = [key, message, ttlMs, MAX_STORED_ANSWERS, MAX_STORED_ANSWER_BYTES]
    return Number(await this.#run.script(STORE_ANSWER, this.#keys.session(sessionId), args)) === 1
  }

  async takeAnswers(sessionId: string, keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    if (keys.length === 0) return found
    const reply = await this.#run.script(TAKE_ANSWERS, this.#keys.session(sessionId), keys)
    const flat = reply as unknown[]
    for (let i = 0; i + 1 < flat.length; i += 2) found.set(String(flat[i]), String(flat[i + 1]))
    return found
  }
}
