#!/usr/bin/env node
// The `pgwarden` command: runs the esbuild bundle (dist/cli.js, `npm run build:server`) when it exists, else the
// TypeScript source through tsx's loader (same as `node --import tsx server/cli.ts`). PGWARDEN_FROM_SOURCE=1 forces
// the source even when a (possibly stale) bundle is present.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.js');

if (existsSync(bundle) && !process.env.PGWARDEN_FROM_SOURCE) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'server', 'cli.ts')).href);
}
