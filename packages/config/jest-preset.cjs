// Shared Jest preset: TypeScript through SWC (type stripping only; `tsc` does the checking).
// Sources use ESM syntax with explicit `.ts` extensions, which Node 24 runs natively; Jest
// runs them as CommonJS after SWC's transform.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      require.resolve('@swc/jest'),
      {
        jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  // ESM-only dependencies (kysely 0.29) are compiled to CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(kysely)[@/])'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.next/'],
  testTimeout: 60_000,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
};
