/** Unit tests (libs/**\/*.spec.ts) and end-to-end tests (test/**\/*.e2e-spec.ts) on a real PostgreSQL. */

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/api/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: {
    // Transpiled file by file to CommonJS, as tsc emits them (tsc itself type-checks, in `npm test`).
    '^.+\\.ts$': [
      'ts-jest',
      {
        diagnostics: false,
        tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true },
      },
    ],
    // NestJS 12 ships ES modules only. Node loads them from our CommonJS build through require(esm);
    // jest's module runtime cannot, so it converts them to CommonJS once (cached) — docs/architecture.md §7.
    '^.+\\.js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        plugins: [
          require.resolve('./test/support/esm-to-cjs.babel.js'),
          'babel-plugin-transform-import-meta',
          '@babel/plugin-transform-dynamic-import',
          '@babel/plugin-transform-modules-commonjs',
        ],
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  // The package's `imports` (#disty/<module>), and relative `.js` specifiers, resolved to the TypeScript sources.
  moduleNameMapper: { '^#disty/(.*)$': '<rootDir>/libs/$1/src', '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
