// The production image's end-to-end test (src/*.image-test.ts), apart from the regular suite:
// it needs a built image and a Docker engine. Run by `npm run test:image`.
module.exports = {
  ...require('@cronium/config/jest-preset'),
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.image-test.ts'],
  testTimeout: 300_000,
};
