import type { ExampleHandler } from './example-handler.js'

/** What {@link shutdownOnSignals} needs from a runtime. */
export interface ShutdownOptions {
  readonly app: ExampleHandler
  /** Stops the runtime's HTTP server. */
  readonly closeServer: () => Promise<void>
  /** Registers a signal handler (`process.on` on Node and Bun, `Deno.addSignalListener` on Deno). */
  readonly listen: (signal: 'SIGINT' | 'SIGTERM', handler: () => void) => void
  /** Ends the process. */
  readonly exit: (code: number) => void
}

/**
 * Clean shutdown on SIGINT and SIGTERM: in-flight requests are answered, every session and stream
 * closed, the HTTP server stopped, and the process exits with code 0 (1 if closing failed).
 */
export function shutdownOnSignals({ app, closeServer, listen, exit }: ShutdownOptions): void {
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    listen(signal, () => {
      if (stopping) return
      stopping = true
      const { sessions, hibernatedSessions } = app.mcp.stats()
      console.log(
        `${signal}: answering in-flight requests, then closing ${sessions}` +
          ` session${sessions === 1 ? '' : 's'}` +
          ` (${hibernatedSessions} hibernating) and their streams`,
      )
      app
        .close()
        .then(closeServer)
        .then(
          () => exit(0),
          (error: unknown) => {
            console.error(error)
            exit(1)
          },
        )
    })
  }
}
