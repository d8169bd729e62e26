// Root ESLint flat config, referenced by the root `lint` script.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/.turbo/**',
      '**/next-env.d.ts',
      'data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='exit']",
          message: 'Only an app main.ts may exit the process.',
        },
      ],
    },
  },
  {
    // Entry points own the process; nothing else may end it.
    files: [
      '**/main.ts',
      '**/*-main.ts',
      '**/*-cli.ts',
      '**/run-tests.ts',
      '**/*.mjs',
      '**/*.cjs',
      '**/bin/**',
    ],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Migrations are frozen in time and typed against Kysely<any> on purpose (Kysely's own
    // convention); the helpers that run them take any schema.
    files: [
      'packages/db/src/migrations/**',
      'packages/db/src/migrate.ts',
      'packages/db/src/readiness.ts',
      'packages/db/src/wait-for-database.ts',
    ],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The Node.js SDK and the examples are plain CommonJS scripts as users write them.
    files: ['packages/sdk/files/**/*.js', 'packages/sdk/examples/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
