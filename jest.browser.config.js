/**
 * Browser tests (npm run test:browser): the real API on a fresh real PostgreSQL (the same global
 * setup as `npm test`), serving the built portal, driven by playwright-core in Debian's Chromium.
 * Kept apart from `npm test` (jest.config.js matches *.e2e-spec.ts and *.spec.ts only).
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 180000,
  // One Chromium at a time: stories share the machine's few cores, and billing runs are global.
  maxWorkers: 1,
};
