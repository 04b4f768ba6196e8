import type { Timers } from '../timers.js'
import type { ClusterNode } from './cluster-node.js'

/** Inbox topics: one per instance, apart from the session topics (`s.<id>`). */
const INBOX_PREFIX = 'i.'

/** What became of a question sent to another instance's inbox. */
export type InboxOutcome =
  /** The instance answered. */
  | { readonly answered: true; readonly body: unknown }
  /**
   * No answer: `'unheard'` when the bus says nobody hears that inbox (the instance is gone, or
   * its bus connection is), `'timeout'` when none came within `backendTimeoutMs`.
   */
  | { readonly answered: false; readonly reason: 'unheard' | 'timeout' }

/** A question on the bus: `q` its id, `from` the inbox to answer to. */
interface Question {
  readonly q: string
  readonly from: string
  readonly body: unknown
}

/** An answer on the bus: `a` the id of the question. */
interface AnswerEnvelope {
  readonly a: string
  readonly body: unknown
}

/**
 * This instance's inbox on the cluster bus (topic `i.<instanceId>`): questions to one other
 * instance and their answers, for what must reach a given instance (the one holding a legacy
 * session's SSE stream). Subscribed on first use. A question waits at most `backendTimeoutMs`
 * for its answer; what is published while an inbox is not heard is lost (the bus is
 * at-most-once), so a question nobody hears is reported at once when the bus counts listeners.
 */
export class ClusterInbox {
  readonly #node: ClusterNode
  readonly #timers: Timers
  readonly #onerror: (error: unknown) => void
  /** Tells this run's questions from a former run's under the same instance id. */
  readonly #prefix = crypto.randomUUID().slice(0, 8)
  #count = 0
  readonly #waiting = new Map<string, (body: unknown) => void>()
  #subscription: Promise<() => Promise<void>> | undefined
  #answer: ((body: unknown) => unknown) | undefined

  constructor(node: ClusterNode, timers: Timers, onerror: (error: unknown) => void) {
    this.#node = node
    this.#timers = timers
    this.#onerror = onerror
  }

  /** Sets how this instance answers questions; without it, questions go unanswered. */
  answerWith(answer: (body: unknown) => unknown): void {
    this.#answer = answer
  }

  /** Resolves once this instance hears its inbox (subscribes the first time). */
  async listen(): Promise<void> {
    const node = this.#node
    this.#subscription ??= node
      .call(() =>
        node.backend.bus.subscribe(INBOX_PREFIX + node.instanceId, (payload) =>
          this.#hear(payload),
        ),
      )
      .catch((error: unknown) => {
        this.#subscription = undefined // the next use tries again
        throw error
      })
    await this.#subscription
  }

  /**
   * Sends `body` to `instance`'s inbox and waits for its answer, at most `backendTimeoutMs`.
   *
   * @throws {ClusterUnavailableError} When the bus fails or does not take the message in time.
   */
  async ask(instance: string, body: unknown): Promise<InboxOutcome> {
    await this.listen()
    const node = this.#node
    const id = `${this.#prefix}.${(++this.#count).toString(36)}`
    let timer: unknown
    const answered = new Promise<InboxOutcome>((resolve) => {
      this.#waiting.set(id, (answer) => resolve({ answered: true, body: answer }))
      timer = this.#timers.setTimeout(
        () => resolve({ answered: false, reason: 'timeout' }),
        node.backendTimeoutMs,
      )
    })
    try {
      const question: Question = { q: id, from: node.instanceId, body }
      const payload = JSON.stringify(question)
      const heard = await node.call(() =>
        node.backend.bus.publish(INBOX_PREFIX + instance, payload),
      )
      if (heard === 0) return { answered: false, reason: 'unheard' }
      return await answered
    } finally {
      this.#waiting.delete(id)
      this.#timers.clearTimeout(timer)
    }
  }

  /** Stops hearing the inbox; questions still waiting run to their timeout. */
  async stop(): Promise<void> {
    const subscription = this.#subscription
    this.#subscription = undefined
    const unsubscribe = await subscription?.catch(() => undefined)
    await unsubscribe?.().catch(this.#onerror)
  }

  #hear(payload: string): void {
    let envelope: unknown
    try {
      envelope = JSON.parse(payload)
    } catch {
      return
    }
    if (typeof envelope !== 'object' || envelope === null) return
    const { a } = envelope as Partial<AnswerEnvelope>
    if (typeof a === 'string') {
      this.#waiting.get(a)?.((envelope as AnswerEnvelope).body)
      return
    }
    const question = envelope as Partial<Question>
    if (typeof question.q !== 'string' || typeof question.from !== 'string') return
    void this.#reply(question as Question)
  }

  async #reply(question: Question): Promise<void> {
    const answer = this.#answer
    if (answer === undefined) return
    const node = this.#node
    try {
      const envelope: AnswerEnvelope = { a: question.q, body: await answer(question.body) }
      const payload = JSON.stringify(envelope)
      await node.call(() => node.backend.bus.publish(INBOX_PREFIX + question.from, payload))
    } catch (error) {
      this.#onerror(error)
    }
  }
}
