// The whole suite in one Jest run: every app and package that has tests is a project.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '../..');
const projects = ['apps', 'packages']
  .flatMap((dir) => fs.readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)))
  .filter((dir) => fs.existsSync(path.join(dir, 'jest.config.cjs')));

module.exports = {
  rootDir: root,
  projects,
  // Two cores: two workers; each test file gets its own database cloned from the template.
  maxWorkers: 2,
  testTimeout: 60_000,
  passWithNoTests: true,
};
