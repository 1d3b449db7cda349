import { defineConfig } from 'vitest/config';

/** `npm run test:proxy`: the caching reverse proxy example with Debian's nginx; not part of `npm test` (a fresh machine has no nginx). */
export default defineConfig({
  test: {
    include: ['tests/proxy/**/*.proxy.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
