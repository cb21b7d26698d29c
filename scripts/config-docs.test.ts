// The README's configuration reference (docs/configuration.md) is generated from the parameter registry; this test
// keeps the committed file true. Regenerate with: node --import tsx scripts/gen-config-docs.ts > docs/configuration.md
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { renderConfigReference } from '../server/engine/config/docs';

test('docs/configuration.md matches the parameter registry', () => {
  const committed = readFileSync(join(import.meta.dirname, '../docs/configuration.md'), 'utf8');
  expect(committed).toBe(renderConfigReference());
});
