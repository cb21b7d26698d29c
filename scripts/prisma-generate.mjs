// Generates the Prisma clients (prisma/generated/{sqlite,postgresql}) without the Prisma schema engine.
// `prisma generate` only needs the engine binary to exist (it never runs it for generation), and the CLI cannot
// download it where pgwarden is built, so point PRISMA_SCHEMA_ENGINE_BINARY at any executable. Run as postinstall.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(cli)) {
  console.log('prisma-generate: prisma CLI not installed (production install?), skipping');
  process.exit(0);
}
const engine =
  process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p));
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: engine,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: '1',
};
for (const schema of ['prisma/schema.prisma', 'prisma/postgresql/schema.prisma']) {
  const r = spawnSync(process.execPath, [cli, 'generate', '--schema', schema, '--no-hints'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(
      `prisma-generate: prisma generate --schema ${schema} failed (exit ${r.status ?? r.signal})`,
    );
    process.exit(r.status ?? 1);
  }
}
