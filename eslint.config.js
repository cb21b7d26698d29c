// Typed ESLint with the layer rules of ARCHITECTURE.md rule 1: each restriction says where the code belongs instead.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.next/**',
      '.demo/**',
      'prisma/generated/**',
      'bench/results/**',
      'tests/artifacts/**',
      'next-env.d.ts',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  layer(
    ['server/engine/**/*.ts'],
    [
      {
        group: ['next', 'next/*', 'react', 'react-dom', 'react/*'],
        message: 'The engine never imports UI code: put it in app/ or components/.',
      },
      {
        group: ['@prisma/*', '**/prisma/**'],
        message: 'The engine has no store: persistence belongs in server/services/.',
      },
      {
        group: [
          '**/server/api/**',
          '**/server/services/**',
          '**/app/**',
          '**/components/**',
          '@/server/api/*',
          '@/server/services/*',
        ],
        message:
          'The engine imports nothing above it: expose what you need through EngineApi (server/engine/api.ts).',
      },
    ],
  ),
  layer(
    ['lib/**/*.ts', 'lib/**/*.tsx'],
    [
      {
        group: ['**/server/**', '**/app/**', '**/components/**', '@/server/*', '@/app/*', '@/components/*'],
        message: 'lib/ is isomorphic and imports nothing above it.',
      },
    ],
  ),
  layer(
    ['components/**/*.ts', 'components/**/*.tsx'],
    [
      {
        group: [
          '**/server/engine/**',
          '**/server/services/**',
          '@/server/engine/*',
          '@/server/services/*',
          '@prisma/*',
        ],
        message: 'Components talk to the server through tRPC (lib/trpc), never to the engine or the store.',
      },
    ],
  ),
  layer(
    ['app/**/*.ts', 'app/**/*.tsx'],
    [
      {
        group: ['**/server/engine/**', '@/server/engine/*', '@prisma/*'],
        message: 'Routes reach the engine only through server/api (the EngineApi handle).',
      },
    ],
  ),
  layer(
    ['server/api/**/*.ts'],
    [{ group: ['@prisma/*'], message: 'Procedures call server/services for the store.' }],
  ),
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
