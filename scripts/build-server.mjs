// Bundles the server entry points for `npm run build:server`: dist/cli.js (the pgwarden command, which also pulls
// in server/main.ts) and dist/engine/worker.js (the engine thread; server/engine-client.ts looks for it next to
// the CLI bundle). Dependencies stay in node_modules; `require` is recreated for CommonJS-only code paths.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = ['server/cli.ts', 'server/engine/worker.ts'].filter((p) => existsSync(p));

await build({
  entryPoints,
  outbase: 'server',
  outdir: process.env.PGWARDEN_BUILD_OUTDIR ?? 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Dynamic imports become their own chunks, so their packages load only when imported: the engine-only process
  // (--no-dashboard) never loads Prisma or Next.js (unsplit, esbuild hoists every external import to the top).
  splitting: true,
  sourcemap: true,
  banner: {
    js: "import { createRequire as __pgwardenCreateRequire } from 'node:module'; const require = __pgwardenCreateRequire(import.meta.url);",
  },
  logLevel: 'info',
});
