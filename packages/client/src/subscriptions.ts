/**
 * The notification types a client opts into with {@link McpClient.listen}, as 2026-07-28's
 * `subscriptions/listen` names them: each is opt-in, and a server sends no type it was not asked
 * for on the listen stream.
 */
export interface SubscriptionFilter {
  /** `notifications/tools/list_changed`. */
  toolsListChanged?: boolean
  /** `notifications/prompts/list_changed`. */
  promptsListChanged?: boolean
  /** `notifications/resources/list_changed`. */
  resourcesListChanged?: boolean
  /** `notifications/resources/updated` for these resource URIs. */
  resourceSubscriptions?: string[]
}

/**
 * An open subscription (see {@link McpClient.listen}). Its notifications reach the handlers of
 * `onNotification`, by method, as every other notification does.
 *
 * @example
 * ```ts
 * client.onNotification('notifications/tools/list_changed', () => refreshTools())
 * const subscription = await client.listen({ toolsListChanged: true })
 * console.log(subscription.notifications) // what the server agreed to send
 * await subscription.close()
 * ```
 */
export interface Subscription {
  /** The notification types the server agreed to send: its acknowledgement. */
  readonly notifications: SubscriptionFilter
  /**
   * Settles when the subscription ends: resolves when it was closed, or the server ended it
   * gracefully (say on shutdown: listen again elsewhere); rejects with a `ConnectionLostError`
   * when its stream was lost (listen again: nothing sent meanwhile is replayed).
   */
  readonly ended: Promise<void>
  /** Ends the subscription: closes its stream (2026-07-28), or unsubscribes (2025 eras). */
  close(): Promise<void>
}

/** The `_meta` key under which a listen stream's notifications carry the listen request's id. */
export const SUBSCRIPTION_ID_META = 'io.modelcontextprotocol/subscriptionId'

/**
 * What a server of the 2025 eras sends of `filter` without a listen stream: list changes go to
 * every session whose server declares `listChanged` for them (on its GET stream, asked or not),
 * and resource updates need `resources/subscribe`, which needs `resources.subscribe`.
 */
export function sessionEraSubscription(
  filter: SubscriptionFilter,
  capabilities: Record<string, unknown>,
): SubscriptionFilter {
  const declares = (kind: string, flag: string) =>
    (capabilities[kind] as Record<string, unknown> | undefined)?.[flag] === true
  const honoured: SubscriptionFilter = {}
  if (filter.toolsListChanged && declares('tools', 'listChanged')) honoured.toolsListChanged = true
  if (filter.promptsListChanged && declares('prompts', 'listChanged'))
    honoured.promptsListChanged = true
  if (filter.resourcesListChanged && declares('resources', 'listChanged'))
    honoured.resourcesListChanged = true
  if (filter.resourceSubscriptions !== undefined && declares('resources', 'subscribe'))
    honoured.resourceSubscriptions = [...filter.resourceSubscriptions]
  return honoured
}
