// Template data directory: initdb costs ~1-2 s, so it runs ONCE per (PostgreSQL version, initdb options, template
// extensions) into a cached directory under clusterRoot(), atomically (temp dir + rename), under a lock file; every
// primary or independent node is a `cp -a` of it (~50 ms).

import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { bin, clusterRoot, isPidAlive, mkdirPg, runOk, sleep, unlinkQuiet } from './proc';

const INITDB_ARGS = [
  '-U',
  'postgres',
  '-E',
  'UTF8',
  '--locale=C',
  '--auth=trust',
  '--no-sync',
  '--no-instructions',
];

let pgVersionCache: string | undefined;
async function pgVersion(): Promise<string> {
  pgVersionCache ??= (await runOk(bin('postgres'), ['--version'], { asPostgres: false })).stdout.trim();
  return pgVersionCache;
}

async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        const pid = Number(readFileSync(lockFile, 'utf8').trim());
        if (Date.now() - statSync(lockFile).mtimeMs > 2000 && (!pid || !isPidAlive(pid)))
          unlinkSync(lockFile);
      } catch {
        // raced
      }
      if (Date.now() > deadline) throw new Error(`pg-cluster: timed out waiting for lock ${lockFile}`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    unlinkQuiet(lockFile);
  }
}

async function singleUser(dataDir: string, db: string, sql: string): Promise<void> {
  // Single-user mode needs no port or socket; -F = fsync off.
  const r = await runOk(
    bin('postgres'),
    ['--single', '-F', '-D', dataDir, '-c', 'log_min_messages=error', db],
    {
      input: sql,
    },
  );
  if (/ERROR:/.test(r.stderr + r.stdout))
    throw new Error(`pg-cluster: single-user ${db}: ${r.stderr}${r.stdout}`);
}

/** Path of a ready template data directory (owned by postgres), creating it if needed. */
export async function ensureTemplate(opts: { pgpoolRecovery?: boolean } = {}): Promise<string> {
  const version = await pgVersion();
  const major = /(\d+)/.exec(version)?.[1] ?? 'x';
  const extensions = ['pg_stat_statements', ...(opts.pgpoolRecovery ? ['pgpool_recovery'] : [])];
  const hash = createHash('sha256')
    .update(JSON.stringify({ version, INITDB_ARGS, extensions, v: 1 }))
    .digest('hex')
    .slice(0, 12);
  const template = path.join(clusterRoot(), `pgwarden-pg-template-${major}-${hash}`);
  const ready = (): boolean => existsSync(path.join(template, 'PG_VERSION'));
  if (ready()) return template;
  return withFileLock(`${template}.lock`, 120_000, async () => {
    if (ready()) return template;
    // Leftovers of a process killed mid-initdb (we hold the lock: nobody else is building one).
    const base = path.basename(template);
    for (const e of readdirSync(path.dirname(template))) {
      if (e.startsWith(`${base}.tmp-`))
        await rm(path.join(path.dirname(template), e), { recursive: true, force: true });
    }
    const tmp = await mkdtemp(`${template}.tmp-`);
    try {
      await mkdirPg(tmp, 0o700);
      await runOk(bin('initdb'), ['-D', tmp, ...INITDB_ARGS]);
      // pg_stat_statements in template1 and postgres so every database can show where a statement ran.
      for (const db of ['template1', 'postgres']) {
        await singleUser(tmp, db, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n');
      }
      if (opts.pgpoolRecovery)
        await singleUser(tmp, 'template1', 'CREATE EXTENSION IF NOT EXISTS pgpool_recovery;\n');
      renameSync(tmp, template); // atomic: readers see a complete template or none
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return template;
  });
}
