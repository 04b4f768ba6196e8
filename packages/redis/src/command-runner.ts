import type { Timers } from '@mcpwire/server'
import type { LuaScript } from './lua-scripts.js'
import type { RedisCommands } from './redis-connection.js'
import { classifyRedisError, RedisUnavailableError } from './redis-errors.js'

/**
 * Sends the adapter's commands: each one bounded by a timeout, failures sorted into
 * {@link RedisUnavailableError} and reply errors, scripts run with `EVALSHA` and loaded with `EVAL`
 * on `NOSCRIPT`, and every round trip counted.
 */
export class CommandRunner {
  /** Commands sent to Redis (round trips), for measurements. */
  roundTrips = 0
  readonly #commands: RedisCommands
  readonly #timers: Timers
  readonly #timeoutMs: number

  constructor(commands: RedisCommands, timers: Timers, timeoutMs: number) {
    this.#commands = commands
    this.#timers = timers
    this.#timeoutMs = timeoutMs
  }

  /** Sends one command within the timeout. */
  send(command: string, args: readonly string[]): Promise<unknown> {
    this.roundTrips++
    return this.bounded(command, () => this.#commands.send(command, args))
  }

  /**
   * Runs one step of the client library within the timeout: a failure or no answer in time becomes
   * {@link RedisUnavailableError} (reply errors stay as thrown).
   */
  bounded(label: string, step: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        reject(
          new RedisUnavailableError(`Redis did not answer ${label} within ${this.#timeoutMs} ms`),
        )
      }, this.#timeoutMs)
      let sent: Promise<unknown>
      try {
        sent = step()
      } catch (error) {
        sent = Promise.reject(error)
      }
      sent.then(
        (reply) => {
          this.#timers.clearTimeout(timer)
          resolve(reply)
        },
        (error: unknown) => {
          this.#timers.clearTimeout(timer)
          reject(classifyRedisError(error))
        },
      )
    })
  }

  /** Runs a script by its SHA1, sending its text once when Redis does not know it yet. */
  async script(
    script: LuaScript,
    key: string,
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const sent = [script.known ?? (await script.sha1()), '1', key]
    for (const arg of args) sent.push(String(arg))
    try {
      return await this.send('EVALSHA', sent)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error
      sent[0] = script.source
      return this.send('EVAL', sent)
    }
  }
}
