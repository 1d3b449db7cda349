import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: pages driven in Debian's Chromium; not part of `npm test` (a fresh machine has no browser). */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.browser.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
