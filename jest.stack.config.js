/**
 * The scale-out stack test (test/stack/, `npm run test:stack`): HAProxy, pgbouncer and three API
 * processes built into dist/, with their own PostgreSQL; bounded to 5 minutes.
 */
const base = require('./jest.config');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: base.moduleFileExtensions,
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  moduleNameMapper: base.moduleNameMapper,
  testMatch: ['<rootDir>/test/stack/**/*.stack-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
