/** Unit specs sit beside the code; cross-cutting suites over real HTTP live in test/. */
const moduleNameMapper = {
  '^@candescent/auth/testing$': '<rootDir>/libs/candescent-auth/src/testing',
  '^@candescent/auth/swagger$': '<rootDir>/libs/candescent-auth/src/swagger',
  '^@candescent/auth$': '<rootDir>/libs/candescent-auth/src',
  '^@candescent/sandbox$': '<rootDir>/libs/candescent-sandbox/src',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  moduleNameMapper,
  // Loads the one ES-module-only dependency (content-disposition 3, via mercurius) with Node's require.
  resolver: '<rootDir>/test/support/jest/resolver.cjs',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option: Jest ignores testTimeout inside a project entry.
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // The consumer apps' own tests run inside their scratch installs (npm run test:consumers).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/'],
    },
  ],
};
