#!/usr/bin/env node
// `npm test`: every test tier that exists, one after the other (unit, integration, e2e), then one closing line
// "tests: N passed, N failed, N skipped". Integration and browser tests start real PostgreSQL servers themselves.
// Browser tests run against the built product: build it first when no build exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const tiers = [
  { name: 'unit', dirs: ['server', 'lib', 'components', 'scripts', 'bench'] },
  { name: 'integration', dirs: ['tests/integration', 'tests/helpers', 'tests/compat'] },
  { name: 'e2e', dirs: ['tests/e2e'] },
].filter((t) => only.length === 0 || only.includes(t.name));

function hasTests(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return false;
  for (const entry of readdirSync(abs, { withFileTypes: true, recursive: true })) {
    if (
      entry.isFile() &&
      entry.name.endsWith('.test.ts') &&
      !join(entry.parentPath ?? '', '').includes('node_modules')
    )
      return true;
  }
  return false;
}

mkdirSync(join(root, 'tests/artifacts'), { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
for (const tier of tiers) {
  if (!tier.dirs.some(hasTests)) continue;
  if (tier.name === 'e2e' && !existsSync(join(root, '.next/BUILD_ID'))) {
    console.log('test: no build found, running `npm run build` for the browser tests');
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) {
      broken = true;
      failed += 1;
      continue;
    }
  }
  const out = join(root, `tests/artifacts/vitest-${tier.name}.json`);
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      tier.name,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests ?? 0;
    failed += j.numFailedTests ?? 0;
    skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    if ((j.numFailedTestSuites ?? 0) > 0 && (j.numFailedTests ?? 0) === 0) failed += j.numFailedTestSuites;
  }
  if (r.status !== 0) broken = true;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(broken || failed > 0 || passed === 0 ? 1 : 0);
