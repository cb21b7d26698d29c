/**
 * PCP end to end on a real 3-node streaming cluster: the real startEngine (which starts the PCP server) driven by
 * the REAL Debian pcp_* tools with -w and a PCPPASSFILE, and by the `pgwarden` runbook subcommands. stdout and
 * stderr are both asserted: the tools exit 0 after a server-side ERROR.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../server/cli/runbook';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { md5hex } from '../../server/engine/pcp/auth';
import { frame, parseErrorFields, PcpPacketReader, type PcpPacket } from '../../server/engine/pcp/codec';
import { NODE_STATUS_CODE } from '../../server/engine/state/types';
import { createCluster, freePort, releasePort, type PgCluster } from '../helpers/pg-cluster';
import { pgbench } from '../helpers/proxy-pgbench';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPTS = path.resolve(__dirname, '../fixtures/scripts');
const USER = 'pgwadmin';

let cluster: PgCluster;
let engine: Engine;
let dir = '';
let passFile = '';
let port = 0;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function exec(file: string, args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, PCPPASSFILE: passFile }, timeout: timeoutMs },
      (err, stdout, stderr) =>
        resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : -1) : 0 }),
    );
  });
}

const pcp = (tool: string, args: string[] = [], user = USER): Promise<Run> =>
  exec(`/usr/sbin/${tool}`, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-w', ...args]);

/** The `pgwarden` command (server/cli.ts dispatches runbook subcommands to server/cli/runbook). */
const cliEntry = (): string => path.join(ROOT, 'server/cli.ts');

/**
 * Raw bytes to the PCP port: the reply packets until the server closes (or `waitMs`). `end` half-closes after
 * writing (a client that dies mid-packet).
 */
function raw(
  bytes: Buffer,
  opts: { end?: boolean; waitMs?: number } = {},
): Promise<{ packets: PcpPacket[]; closed: boolean }> {
  return new Promise((resolve) => {
    const reader = new PcpPacketReader(1 << 20);
    const packets: PcpPacket[] = [];
    const s = connect({ host: '127.0.0.1', port });
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ packets, closed });
    };
    const timer = setTimeout(() => done(false), opts.waitMs ?? 10_000);
    s.on('connect', () => (opts.end ? s.end(bytes) : s.write(bytes)));
    s.on('data', (c: Buffer) => {
      reader.push(c);
      for (let p = reader.next(); p && !('error' in p); p = reader.next()) packets.push(p);
    });
    s.on('error', () => undefined);
    s.on('close', () => done(true));
  });
}

const errorText = (p: PcpPacket | undefined): string => {
  if (!p || p.type !== 'E') return `not an error: ${p?.type}`;
  const f = parseErrorFields(p.payload);
  return `${f.severity}: ${f.message}${f.detail ? ` / ${f.detail}` : ''}`;
};

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
function junk(seed: number, length: number): Buffer {
  let x = seed || 1;
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const statusLine = async (id: number): Promise<string[]> =>
  (await pcp('pcp_node_info', ['-n', String(id)])).stdout.trim().split(' ');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-pcp-cluster-'));
  passFile = path.join(dir, 'pcppass');
  await writeFile(passFile, `127.0.0.1:*:${USER}:s3cret\nlocalhost:*:${USER}:s3cret\n*:*:intruder:wrong\n`);
  await chmod(passFile, 0o600);
  cluster = await createCluster({ mode: 'streaming', nodes: 3 });
  // Online recovery (pgwarden recover) with the example scripts, run by pgwarden itself (no extension needed).
  const examples = path.join(ROOT, 'scripts/examples');
  for (const n of cluster.nodes)
    for (const f of await readdir(examples)) {
      await copyFile(path.join(examples, f), path.join(n.dataDir, f));
      await chmod(path.join(n.dataDir, f), 0o755);
    }
  port = await freePort();
  const flog = path.join(dir, 'failover.log');
  const config = testConfig(
    cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
    {
      logdir: dir,
      pcp_listen_addresses: 'localhost',
      pcp_port: port,
      pcp_socket_dir: dir,
      recovery_user: 'postgres',
      recovery_1st_stage_command: 'recovery_1st_stage',
      recovery_script_runner: 'direct',
      recovery_timeout: 60,
      failover_command: `${SCRIPTS}/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S ${flog}`,
      follow_primary_command: `${SCRIPTS}/follow_primary.sh %d %h %p %D %m %H %M %P %r %R ${path.join(dir, 'follow.log')} pcp:${port}:${USER}:${passFile}`,
    },
  );
  engine = await startEngine({
    config,
    logger: recordingLogger().logger,
    pcpUsers: [{ user: USER, md5: md5hex('s3cret') }],
  });
  expect(engine.pcpPort).toBe(port);
  await waitFor('standbys streaming', () =>
    engine.state.nodes.filter((n) => n.replicationState === 'streaming').length === 2 ? true : null,
  );
}, 120_000);

afterAll(async () => {
  await engine?.stop('fast');
  await cluster?.destroy();
  releasePort(port);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('pcp_* tools against startEngine on 3 real nodes', () => {
  it('pcp_node_count and pcp_node_info print what the engine shows', async () => {
    expect(await pcp('pcp_node_count')).toMatchObject({ stdout: '3\n', stderr: '', code: 0 });
    const snap = await engine.snapshot();
    const all = (await pcp('pcp_node_info')).stdout.trim().split('\n');
    expect(all).toHaveLength(3);
    all.forEach((line, id) => {
      const n = snap.nodes[id]!;
      const f = line.split(' ');
      // Nodes are "waiting" until the first client session uses them, as in pgpool (CON_CONNECT_WAIT).
      expect(f.slice(0, 5)).toEqual([
        '127.0.0.1',
        String(n.port),
        String(NODE_STATUS_CODE[n.status]),
        '0.333333',
        n.status,
      ]);
      expect(f[6]).toBe(id === snap.primaryNodeId ? 'primary' : 'standby');
      expect(f[7]).toBe(n.pgRole);
    });
    expect(all[1]).toMatch(/ streaming async \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const v = (await pcp('pcp_node_info', ['-v', '-n', '0'])).stdout;
    expect(v).toMatch(/^Hostname\s+: 127\.0\.0\.1$/m);
    expect(v).toMatch(new RegExp(`^Status\\s+: ${NODE_STATUS_CODE[snap.nodes[0]!.status]}$`, 'm'));
    expect(v).toMatch(/^Weight\s+: 0\.333333$/m);
    expect(v).toMatch(/^Role\s+: primary$/m);
    expect((await pcp('pcp_node_info', ['-n', '7'])).stderr).toContain('DETAIL:  invalid node ID : 7');
  });

  it('pcp_detach_node -n 2 then pcp_node_info shows 3; pcp_attach_node brings it back', async () => {
    expect((await pcp('pcp_detach_node', ['-n', '2'])).stdout).toBe(
      'pcp_detach_node -- Command Successful\n',
    );
    // pgpool replies once the request is queued (reference §1.5): the status follows right after.
    await waitFor('node 2 down', async () => ((await statusLine(2))[2] === '3' ? true : null), 10_000);
    expect((await statusLine(2)).slice(2, 5)).toEqual(['3', '0.333333', 'down']);
    const ev = (await engine.events())
      .filter((e) => e.kind === 'node_status_changed' && e.nodeId === 2)
      .at(-1);
    expect(ev?.actor).toEqual({ name: USER, interface: 'pcp' });
    expect((await pcp('pcp_attach_node', ['-n', '2'])).stdout).toBe(
      'pcp_attach_node -- Command Successful\n',
    );
    await waitFor(
      'node 2 back',
      async () => (['1', '2'].includes((await statusLine(2))[2]!) ? true : null),
      10_000,
    );
  });

  it('health check stats, proc count/info, pool status, watchdog, recovery', async () => {
    const hc = (await pcp('pcp_health_check_stats', ['-n', '0'])).stdout;
    expect(hc).toMatch(
      new RegExp(
        `^0 127\\.0\\.0\\.1 ${cluster.nodes[0]!.port} (up|waiting) primary \\S+ \\S+ [1-9]\\d* [1-9]\\d* 0 `,
      ),
    );
    // Client sessions through the proxy are "process" slots for pcp_proc_count / pcp_proc_info.
    const clients = [0, 1].map(
      () =>
        new pg.Client({ host: '127.0.0.1', port: engine.proxyPort, user: 'postgres', database: 'postgres' }),
    );
    for (const c of clients) c.on('error', () => undefined);
    try {
      for (const c of clients) {
        await c.connect();
        await c.query('SELECT 1');
      }
      const pc = await pcp('pcp_proc_count');
      expect(pc.stderr).toBe('');
      const slots = pc.stdout.trim().split(' ').filter(Boolean).map(Number);
      expect(slots.length).toBeGreaterThanOrEqual(2);
      const pi = await pcp('pcp_proc_info');
      expect(pi.stderr).toBe('');
      expect(pi.stdout).toMatch(/^postgres postgres /m);
      // Every "pid" is > 0 (pid 0 means "all" to the tools, and -P 0 is refused client-side), so each
      // session slot can be asked for by itself, and each line printed carries the pid asked for.
      expect(slots.every((pid) => pid > 0)).toBe(true);
      for (const pid of slots) {
        const mine = await pcp('pcp_proc_info', ['-P', String(pid)]);
        expect(mine.stderr).toBe('');
        const lines = mine.stdout.trim().split('\n');
        expect(lines.length).toBeGreaterThanOrEqual(1);
        for (const line of lines) {
          expect(line).toMatch(/^postgres postgres /);
          // ... backend_pid connected pid backend_id status (§1.5 P)
          expect(line).toMatch(new RegExp(` \\d+ [01] ${pid} \\d+ [A-Za-z ]+$`));
        }
      }
      // Stable: the same sessions still have the same pids.
      expect((await pcp('pcp_proc_count')).stdout.trim().split(' ').map(Number)).toEqual(slots);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
    const ps = (await pcp('pcp_pool_status')).stdout;
    expect(ps).toContain(`name : backend_port0\nvalue: ${cluster.nodes[0]!.port}\n`);
    expect(ps).toContain('name : backend_clustering_mode\nvalue: 1\n');
    expect((await pcp('pcp_watchdog_info')).stderr).toContain('DETAIL:  watchdog is not enabled');
    const rec = await pcp('pcp_recovery_node', ['-n', '2']);
    // Until online recovery lands the engine refuses with not_implemented; after, node 2 is up so it is "alive".
    expect(rec.stderr).toMatch(/^ERROR: {2}.*(not implemented|alive|recover)/);
  });

  it('wrong password -> FATAL authentication failed (rc 1)', async () => {
    const r = await pcp('pcp_node_count', [], 'intruder');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FATAL:  authentication failed for user "intruder"');
  });

  it('pgwarden nodes --json over PCP', async () => {
    const r = await exec(process.execPath, [
      '--import',
      'tsx',
      cliEntry(),
      'nodes',
      '--json',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      USER,
      '-w',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      nodes: Array<{ nodeId: number; role: string; weight: number }>;
    };
    expect(out.ok).toBe(true);
    expect(out.nodes.map((n) => n.nodeId)).toEqual([0, 1, 2]);
    expect(out.nodes[0]).toMatchObject({ role: 'primary', weight: 0.333333 });
    const bad = await exec(process.execPath, [
      '--import',
      'tsx',
      cliEntry(),
      'detach',
      '9',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      USER,
      '-w',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ERROR:  invalid degenerate backend request, node id: 9 is out of range');
  }, 60_000);

  it('malformed PCP packets get errors or a close while pgbench through the proxy sees no failure', async () => {
    const conn = ['-h', '127.0.0.1', '-p', String(engine.proxyPort), '-U', 'postgres', 'postgres'];
    const init = await pgbench(['-i', '-s', '1', '-q', ...conn]);
    expect(init.code, init.stderr).toBe(0);
    const load = pgbench(['-c', '4', '-j', '2', '-T', '10', ...conn], 60_000);
    const t0 = Date.now();

    const header = (type: string, length: number): Buffer => {
      const b = Buffer.alloc(5);
      b.write(type, 0, 'latin1');
      b.writeInt32BE(length, 1);
      return b;
    };
    const fatal = /^FATAL: /;
    type Case = { name: string; bytes: Buffer; end?: boolean; expect: RegExp | 'close' };
    const cases: Case[] = [
      {
        name: '1 GB length',
        bytes: header('L', 0x40000000),
        expect: /^FATAL: invalid PCP packet \/ incorrect packet length \(1073741824\)$/,
      },
      {
        name: 'oversize request (300 bytes)',
        bytes: Buffer.concat([header('R', 300), Buffer.alloc(296, 0x61)]),
        expect: /^FATAL: invalid PCP packet \/ incorrect packet length \(300\)$/,
      },
      { name: 'negative length', bytes: header('M', -5), expect: /^FATAL: invalid PCP packet / },
      {
        name: 'command before authentication',
        bytes: frame('L'),
        expect: /^FATAL: authentication failed for new PCP connection \/ connection not authorized$/,
      },
      {
        name: 'detach before authentication',
        bytes: frame('D', Buffer.from('1\0')),
        expect: /^FATAL: authentication failed for new PCP connection \/ connection not authorized$/,
      },
      {
        name: 'auth without salt',
        bytes: frame('R', Buffer.from(`${USER}\0${'0'.repeat(32)}\0`)),
        expect: /^FATAL: authentication failed \/ username and\/or password does not match$/,
      },
      // Truncated: the header promises more than arrives, then the client goes away.
      {
        name: 'truncated payload',
        bytes: Buffer.concat([header('R', 100), Buffer.alloc(10)]),
        end: true,
        expect: 'close',
      },
      { name: 'truncated header', bytes: Buffer.from([0x4c, 0x00, 0x00]), end: true, expect: 'close' },
    ];
    for (let seed = 1; seed <= 40; seed++)
      cases.push({ name: `random bytes #${seed}`, bytes: junk(seed, 16 + seed * 7), expect: fatal });

    // Round after round of every case, for as long as pgbench runs.
    let loadDone = false;
    void load.then(() => (loadDone = true));
    let replied = 0;
    let sent = 0;
    let rounds = 0;
    do {
      for (let i = 0; i < cases.length; i += 8) {
        const batch = cases.slice(i, i + 8);
        const results = await Promise.all(batch.map((c) => raw(c.bytes, { end: c.end })));
        results.forEach((r, j) => {
          const c = batch[j]!;
          expect(r.closed, c.name).toBe(true);
          if (c.expect !== 'close') {
            expect(errorText(r.packets[0]), c.name).toMatch(c.expect);
            replied++;
          }
        });
        sent += batch.length;
        // Paced (~50 connections/s): this test process shares its event loop with the engine under test.
        await new Promise((r) => setTimeout(r, 100));
      }
      rounds++;
      // Meanwhile the PCP server still serves well-formed clients.
      expect((await pcp('pcp_node_count')).stdout).toBe('3\n');
    } while (!loadDone);
    const malformedMs = Date.now() - t0;

    const r = await load;
    console.log(
      `[pcp malformed] ${sent} malformed connections in ${rounds} rounds (${replied} FATAL replies) ` +
        `in ${malformedMs} ms ` +
        `during pgbench: ${r.tps} tps, ${r.failed} failed, rc ${r.code}`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.failed).toBe(0);
    expect(r.tps).toBeGreaterThan(0);
    expect(await pcp('pcp_node_count')).toMatchObject({ stdout: '3\n', stderr: '', code: 0 });
  }, 90_000);

  it('pcp_promote_node -s -n 1 switches the primary in PostgreSQL; follow_primary re-points node 2', async () => {
    const t0 = Date.now();
    const r = await pcp('pcp_promote_node', ['-s', '-n', '1']);
    const replyMs = Date.now() - t0;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pcp_promote_node -- Command Successful\n');
    await waitFor('node 1 primary', () => (engine.state.primaryNodeId === 1 ? true : null), 60_000);
    const switchedMs = Date.now() - t0;
    const line = await statusLine(1);
    expect(line[6]).toBe('primary');
    // The old primary is detached (failover_command with %m = 1 stopped it and promoted node 1 in PostgreSQL).
    expect((await statusLine(0))[2]).toBe('3');
    expect((await cluster.nodes[1]!.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(
      false,
    );
    const flog = await readFile(path.join(dir, 'failover.log'), 'utf8');
    expect(flog).toMatch(/^failover\.sh 0 \S+ \d+ \S+ 1 /m);
    // follow_primary_command ran for node 2: it streams from node 1 and was attached again with pcp_attach_node.
    await waitFor(
      'node 2 streams from node 1',
      async () =>
        (
          await cluster.nodes[1]!.query<{ s: string }>(
            `SELECT state AS s FROM pg_stat_replication WHERE application_name = '${cluster.nodes[2]!.name}'`,
          )
        )[0]?.s === 'streaming' || null,
      60_000,
    );
    await waitFor(
      'node 2 attached',
      async () => (['1', '2'].includes((await statusLine(2))[2]!) ? true : null),
      60_000,
    );
    const follow = await readFile(path.join(dir, 'follow.log'), 'utf8');
    expect(follow).toMatch(/^follow_primary\.sh 2 /m);
    expect(follow).toContain('follow_primary.sh: pcp_attach_node -n 2 rc=0');
    console.log(
      `[pcp promote -s] reply ${replyMs} ms, node 1 primary after ${switchedMs} ms, follow done after ${Date.now() - t0} ms`,
    );
  }, 120_000);

  it('runbook subcommands with --json: recover (stage by stage), node-info, detach -g, attach, promote -s, reload, watchdog', async () => {
    process.env.PCPPASSFILE = passFile;
    const rb = async (
      name: string,
      args: string[],
    ): Promise<{ code: number; json: Record<string, unknown>; err: string[] }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runRunbook(
        name,
        [...args, '--json', '-h', '127.0.0.1', '-p', String(port), '-U', USER, '-w'],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
      );
      expect(out, `${name}: one JSON line`).toHaveLength(1);
      return { code, json: JSON.parse(out[0]!) as Record<string, unknown>, err };
    };
    // The previous test's follow_primary / failback may still be finishing: recovery is refused meanwhile.
    await engine.failover.idle();
    const t0 = Date.now();
    // Node 0 (the old primary, stopped by the switchover) comes back as a standby of node 1.
    const rec = await rb('recover', ['0']);
    expect(rec.code, JSON.stringify(rec)).toBe(0);
    expect(rec.json).toMatchObject({ ok: true, nodeId: 0, recovered: true });
    const stages = rec.json.stages as Array<{ stage: string; phase: string; outcome: string }>;
    expect(stages.map((x) => `${x.stage}:${x.phase}:${x.outcome}`)).toEqual([
      'first_stage:start:running',
      'first_stage:end:ok',
      'remote_start:start:running',
      'remote_start:end:ok',
      'wait_postmaster:start:running',
      'wait_postmaster:end:ok',
      'attach:start:running',
      'attach:end:ok',
    ]);
    // Printed as they happened (stderr), between the start line and the result.
    expect(rec.err[1]).toMatch(/^recovery of node 0: stage 1\/4 first_stage started$/);
    expect(rec.err.at(-1)).toMatch(/^recovery of node 0: stage 4\/4 attach ok \(\d+\.\d s\)$/);
    const recMs = Date.now() - t0;

    const info = await rb('node-info', ['0']);
    expect(info).toMatchObject({ code: 0, json: { ok: true, node: { nodeId: 0, role: 'standby' } } });

    const det = await rb('detach', ['2', '--graceful']);
    expect(det).toMatchObject({ code: 0, json: { ok: true, nodeId: 2, graceful: true, status: 'down' } });
    expect(engine.state.node(2)?.status).toBe('down');
    const att = await rb('attach', ['2']);
    expect(att.code).toBe(0);
    expect(['waiting', 'up']).toContain((att.json as { status: string }).status);

    // The failback behind `attach` (primary search) may still be running: pgwarden refuses a promote meanwhile.
    await engine.failover.idle();
    const t1 = Date.now();
    const pro = await rb('promote', ['0', '--switchover']);
    expect(pro, JSON.stringify(pro)).toMatchObject({
      code: 0,
      json: { ok: true, nodeId: 0, switchover: true, primaryNodeId: 0 },
    });
    expect(engine.state.primaryNodeId).toBe(0);
    expect((await cluster.nodes[0]!.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(
      false,
    );
    const proMs = Date.now() - t1;

    // This engine has no configuration file to re-read (startEngine without reloadConfig): a refusal, exit 1.
    const rl = await rb('reload', []);
    expect(rl).toMatchObject({ code: 1, json: { ok: false, error: { severity: 'ERROR' } } });
    expect(rl.err.join('\n')).toContain('without a configuration source');
    const wd = await rb('watchdog', []);
    expect(wd).toMatchObject({ code: 1, json: { ok: false, error: { detail: 'watchdog is not enabled' } } });
    const bad = await rb('node-info', ['9']);
    expect(bad).toMatchObject({ code: 1, json: { ok: false, error: { severity: 'ERROR' } } });
    const refused = await rb('promote', ['0']);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, error: { severity: 'FATAL' } });
    console.log(`[pcp runbook] recover 0: ${recMs} ms, promote 0 --switchover: ${proMs} ms`);
  }, 180_000);

  it('pcp_promote_node -g -s waits for the client sessions to end, then replies after the switchover', async () => {
    await engine.failover.idle();
    const before = engine.state.primaryNodeId;
    expect(before).toBe(0);
    const c = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    c.on('error', () => undefined);
    await c.connect();
    await c.query('SELECT 1');
    const t0 = Date.now();
    let replied = false;
    const tool = pcp('pcp_promote_node', ['-g', '-s', '-n', '2']).then((r) => {
      replied = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 2000));
    // pgpool RECOVERY_PROMOTE: nothing happens while a session is open (an early reply is shown with its output).
    expect(
      replied,
      replied ? JSON.stringify({ reply: await tool, sessions: await engine.sessions() }) : '',
    ).toBe(false);
    expect(engine.state.primaryNodeId).toBe(before);
    await c.end();
    const r = await tool;
    const ms = Date.now() - t0;
    expect(r).toMatchObject({ stdout: 'pcp_promote_node -- Command Successful\n', stderr: '', code: 0 });
    // Graceful: the reply comes after the switchover has been carried out.
    expect(engine.state.primaryNodeId).toBe(2);
    expect(engine.state.node(0)?.status).toBe('down');
    console.log(`[pcp promote -g -s] replied ${ms} ms after the request (session closed at ~2000 ms)`);
  }, 90_000);

  it('pcp_stop_pgpool -m fast stops the engine', async () => {
    expect((await pcp('pcp_stop_pgpool', ['-m', 'fast'])).stdout).toBe(
      'pcp_stop_pgpool -- Command Successful\n',
    );
    await waitFor('PCP closed', async () => (await pcp('pcp_node_count')).code === 1 || null, 20_000);
  }, 30_000);
});
