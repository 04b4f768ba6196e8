import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/_redis-server.ts'],
    // The suites mostly wait for TTLs to run out on Redis's clock: run the files side by side even
    // on two cores.
    maxWorkers: 4,
    // Generous for a loaded shared machine; nothing waits this long when things work.
    testTimeout: 30_000,
  },
})
