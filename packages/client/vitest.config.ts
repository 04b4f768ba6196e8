import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // CI runs this suite on four Node lines beside other tasks on two cores: the property tests
    // (100 runs each) outlast vitest's default 5 s there. Nothing waits this long when things work.
    testTimeout: 30_000,
  },
})
