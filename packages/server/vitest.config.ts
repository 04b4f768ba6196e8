import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // A bound for hangs, not a speed check: CI runs the suites on four Node releases side by side
    // on two cores, where the property and large-input tests take several times their idle time.
    testTimeout: 30_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
  },
})
