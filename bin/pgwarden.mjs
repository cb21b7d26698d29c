#!/usr/bin/env node
// The `pgwarden` command: runs the esbuild bundle (dist/cli.js, `npm run build:server`) when it exists and is not
// older than the TypeScript sources, else the sources through tsx's loader (same as `node --import tsx
// server/cli.ts`). A stale bundle in a working checkout would otherwise silently run yesterday's code.
// PGWARDEN_FROM_SOURCE=1 forces the sources; an install without server/ always runs the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.js');
const source = join(root, 'server', 'cli.ts');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function useBundle() {
  if (!existsSync(bundle)) return false;
  if (!existsSync(source)) return true;
  if (process.env.PGWARDEN_FROM_SOURCE) return false;
  return statSync(bundle).mtimeMs >= newestSource(join(root, 'server'));
}

if (useBundle()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
