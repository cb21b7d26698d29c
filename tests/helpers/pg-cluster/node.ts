// One PostgreSQL node: start/stop/kill -9/promote through pg_ctl as the postgres OS user, queries over its socket.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { bin, childPids, isPidAlive, postmasterPid, run, sleep, unlinkQuiet, waitPidsGone } from './proc';
import { installSafetyNet, liveDataDirs } from './safety-net';
import type { PgNode, PgUser, RunResult, StopMode } from './types';

export interface NodeSpec {
  id: number;
  name: string;
  port: number;
  nodeDir: string;
  archiveDir: string;
  users: PgUser[];
  onPromote?: (n: PgNode) => void;
}

interface PgClientInternals {
  connection: { stream: { destroy(): void } };
}

export function makeNode(spec: NodeSpec): PgNode {
  const dataDir = path.join(spec.nodeDir, 'data');
  const socketDir = spec.nodeDir;
  const logFile = path.join(spec.nodeDir, 'postgres.log');
  // Registered from birth, not at start(): a postmaster started outside the helper (pgpool_remote_start, pg_ctl in a
  // failover script) is still found through postmaster.pid by destroy() and by the exit safety net.
  liveDataDirs.add(dataDir);
  installSafetyNet();
  const passwordOf = (user: string): string | undefined => spec.users.find((u) => u.name === user)?.password;

  const pgCtl = (args: string[], timeoutMs = 90_000): Promise<RunResult> =>
    run(bin('pg_ctl'), ['-D', dataDir, ...args], { timeoutMs });

  const node: PgNode = {
    id: spec.id,
    name: spec.name,
    host: '127.0.0.1',
    port: spec.port,
    dataDir,
    socketDir,
    logFile,
    archiveDir: spec.archiveDir,

    pid: () => postmasterPid(dataDir),

    async isRunning() {
      return postmasterPid(dataDir) !== null;
    },

    async start() {
      if (postmasterPid(dataDir)) return;
      installSafetyNet();
      const r = await pgCtl(['-l', logFile, '-w', '-t', '60', 'start']);
      if (r.code !== 0) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(
          `pg-cluster: ${spec.name} failed to start (${r.code}): ${r.stderr}\n${log.slice(-3000)}`,
        );
      }
      await node.waitReady(30_000);
    },

    async stop(mode: StopMode = 'fast') {
      if (!postmasterPid(dataDir)) return;
      const pid = postmasterPid(dataDir);
      const r = await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
      if (r.code !== 0 && postmasterPid(dataDir)) {
        throw new Error(`pg-cluster: ${spec.name} stop -m ${mode} failed: ${r.stderr}`);
      }
      // pg_ctl returns once postmaster.pid is gone, a moment before the process itself has exited.
      if (pid) await waitPidsGone([pid], 10_000);
    },

    async kill9() {
      const pid = postmasterPid(dataDir);
      if (!pid) return;
      const children = childPids(pid);
      process.kill(pid, 'SIGKILL');
      // Children notice the postmaster's death and exit; until they do, the old shared memory is attached and a new
      // postmaster refuses to start ("pre-existing shared memory block is still in use").
      if (!(await waitPidsGone([pid, ...children], 10_000))) {
        for (const c of children.filter(isPidAlive)) process.kill(c, 'SIGKILL');
        await waitPidsGone([pid, ...children], 10_000);
      }
      // The dead postmaster may stay a zombie until PID 1 reaps it (seconds in some containers); PostgreSQL's lock
      // file check (kill(pid, 0)) would then refuse to start. All processes are gone, so the lock file is stale.
      // Same for the Unix socket's lock file.
      unlinkQuiet(path.join(dataDir, 'postmaster.pid'));
      unlinkQuiet(path.join(socketDir, `.s.PGSQL.${spec.port}.lock`));
      unlinkQuiet(path.join(socketDir, `.s.PGSQL.${spec.port}`));
    },

    async restart() {
      await node.stop('fast');
      await node.start();
    },

    async promote() {
      const r = await pgCtl(['-w', '-t', '60', 'promote']);
      if (r.code !== 0) throw new Error(`pg-cluster: ${spec.name} promote failed: ${r.stderr}${r.stdout}`);
      // pg_ctl -w waits for "in production"; wait for new transactions to be accepted too.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await node.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        if (row && !row.r) break;
        if (Date.now() > deadline)
          throw new Error(`pg-cluster: ${spec.name} still in recovery after promote`);
        await sleep(50);
      }
      spec.onPromote?.(node);
    },

    async pauseReplay() {
      await node.query('SELECT pg_wal_replay_pause()');
    },

    async resumeReplay() {
      await node.query('SELECT pg_wal_replay_resume()');
    },

    async waitReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          await node.query('SELECT 1');
          return;
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline) {
          throw new Error(`pg-cluster: ${spec.name} not ready after ${timeoutMs} ms: ${String(last)}`);
        }
        await sleep(50);
      }
    },

    async query<T = Record<string, unknown>>(sql: string, params?: unknown[], db = 'postgres'): Promise<T[]> {
      const client = new pg.Client({
        host: socketDir,
        port: spec.port,
        user: 'postgres',
        database: db,
        application_name: 'pg-cluster-helper',
        connectionTimeoutMillis: 10_000,
      });
      client.on('error', () => {}); // a server going down mid-test must not crash the worker
      await client.connect();
      try {
        const res = await client.query(sql, params);
        return res.rows as T[];
      } finally {
        // end() waits for the server to close the socket; a process that inherited the backend's socket (a postmaster
        // started by pgpool_remote_start from that backend) would keep it open for ever: cut it after 1 s.
        const timer = setTimeout(
          () => (client as unknown as PgClientInternals).connection.stream.destroy(),
          1000,
        );
        await client.end().catch(() => {});
        clearTimeout(timer);
      }
    },

    connectionString(db = 'postgres', user = 'postgres') {
      const pw = passwordOf(user);
      const auth =
        pw === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(pw)}`;
      return `postgresql://${auth}@127.0.0.1:${spec.port}/${encodeURIComponent(db)}`;
    },

    async psql(sql, opts = {}) {
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(spec.port)];
      args.push('-U', opts.user ?? 'postgres', '-d', opts.db ?? 'postgres', '-c', sql);
      const pw = passwordOf(opts.user ?? 'postgres');
      return run('psql', args, { asPostgres: false, timeoutMs: 60_000, env: pw ? { PGPASSWORD: pw } : {} });
    },
  };
  return node;
}
