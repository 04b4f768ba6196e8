// The Workers sample: the same handler as the Node, Deno and Bun apps (@mcpwire/app-shared), so
// MCP 2026-07-28 is served statelessly through the official SDK v2 handler (`modern`), and the
// legacy eras (2024-11-05 to 2025-11-25) with their sessions in this isolate's memory
// (`connect`). A Worker may run in many isolates and an isolate may be evicted at any time, so
// legacy sessions only hold while one isolate serves them all (workerd locally, `wrangler dev`);
// on Cloudflare, only the 2026-07-28 era is dependable.
import { createExampleHandler, type ExampleHandler } from '@mcpwire/app-shared'

// Workers forbid timers and random numbers at the top level of a module: build on first request.
let app: ExampleHandler | undefined

export default {
  /** The Workers entry point. */
  fetch(request: Request): Promise<Response> {
    app ??= createExampleHandler()
    return app.fetch(request)
  },
}
