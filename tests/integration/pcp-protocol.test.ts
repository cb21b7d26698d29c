/**
 * The PCP server driven by the REAL Debian pgpool2 4.3.5 client tools (and raw sockets for malformed input),
 * over a small EngineApi on a real ClusterState (server/engine/pcp/testing/state-engine.ts): protocol, auth and
 * robustness, without PostgreSQL. The tools exit 0 after a server-side ERROR, so stdout and stderr are asserted.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5hex } from '../../server/engine/pcp/auth';
import { PcpClient } from '../../server/engine/pcp/client';
import { frame, parseErrorFields, PcpPacketReader, type PcpPacket } from '../../server/engine/pcp/codec';
import { startPcpServer, type PcpServerHandle } from '../../server/engine/pcp/index';
import {
  backendsFor,
  createStateEngine,
  type StateEngine,
} from '../../server/engine/pcp/testing/state-engine';
import { silentLogger } from '../../server/engine/runtime/logger';
import { freePort, releasePort } from '../helpers/pg-cluster';

let dir = '';
let passFile = '';
let port = 0;
let server: PcpServerHandle;
let engine: StateEngine;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function pcp(tool: string, args: string[], opts: { user?: string; timeoutMs?: number } = {}): Promise<Run> {
  const full = ['-h', '127.0.0.1', '-p', String(port), '-U', opts.user ?? 'admin', '-w', ...args];
  return new Promise((resolve) => {
    execFile(
      `/usr/sbin/${tool}`,
      full,
      { env: { ...process.env, PCPPASSFILE: passFile, TZ: 'UTC' }, timeout: opts.timeoutMs ?? 15_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Send raw bytes, collect the reply packets until the server closes (or `waitMs` passes). */
function raw(bytes: Buffer, waitMs = 3000): Promise<{ packets: PcpPacket[]; closed: boolean }> {
  return new Promise((resolve) => {
    const reader = new PcpPacketReader(1 << 20);
    const packets: PcpPacket[] = [];
    const s = connect({ host: '127.0.0.1', port });
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ packets, closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    s.on('connect', () => s.write(bytes));
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

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-pcp-'));
  passFile = path.join(dir, 'pcppass');
  await writeFile(passFile, `*:*:admin:secret\n*:*:intruder:wrong\n`);
  await chmod(passFile, 0o600);
  port = await freePort();
  engine = createStateEngine({ backends: backendsFor([11002, 11003, 11004]) });
  server = await startPcpServer({
    config: {
      pcp_listen_addresses: 'localhost',
      pcp_port: port,
      pcp_socket_dir: dir,
      authentication_timeout: 1,
    },
    engine,
    logger: silentLogger,
    users: [{ user: 'admin', md5: md5hex('secret') }],
  });
});

afterAll(async () => {
  await server?.close();
  releasePort(port);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PCP with the real pcp_* tools (state engine)', () => {
  it('pcp_node_count and pcp_node_info', async () => {
    expect(await pcp('pcp_node_count', [])).toMatchObject({ stdout: '3\n', code: 0 });
    const all = await pcp('pcp_node_info', []);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^localhost 11002 2 0\.333333 up up primary primary 0 none none \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    expect(lines[1]).toMatch(/^localhost 11003 2 0\.333333 up up standby standby 0 streaming async /);
    const v = await pcp('pcp_node_info', ['-n', '1', '-v']);
    expect(v.stdout).toMatch(/Status\s+: 2\n/);
    expect(v.stdout).toMatch(/Weight\s+: 0\.333333\n/);
    expect(v.stdout).toMatch(/Role\s+: standby\n/);
    const bad = await pcp('pcp_node_info', ['-n', '5']);
    expect(bad.stderr).toBe('ERROR:  informing node info failed\nDETAIL:  invalid node ID : 5\n\n');
  });

  it('detach / attach / promote go through EngineApi with the PCP actor', async () => {
    expect((await pcp('pcp_detach_node', ['-n', '2'])).stdout).toBe(
      'pcp_detach_node -- Command Successful\n',
    );
    expect((await pcp('pcp_node_info', ['-n', '2'])).stdout).toMatch(/^localhost 11004 3 0\.333333 down /);
    const again = await pcp('pcp_detach_node', ['-g', '-n', '2']);
    expect(again.stderr).toContain(
      'ERROR:  invalid degenerate backend request, node id : 2 status: [3] is not valid for failover',
    );
    expect((await pcp('pcp_attach_node', ['-n', '2'])).stdout).toBe(
      'pcp_attach_node -- Command Successful\n',
    );
    expect((await pcp('pcp_node_info', ['-n', '2'])).stdout).toMatch(/^localhost 11004 1 0\.333333 waiting /);
    const p0 = await pcp('pcp_promote_node', ['-n', '0']);
    expect(p0.stderr).toContain(
      "FATAL:  invalid promote request\nDETAIL:  specified node is already primary node, can't promote node id 0",
    );
    expect((await pcp('pcp_promote_node', ['-s', '-n', '1'])).stdout).toBe(
      'pcp_promote_node -- Command Successful\n',
    );
    expect(engine.state.primaryNodeId).toBe(1);
    expect(engine.actions.map((a) => [a.action, a.nodeId, a.actor])).toEqual([
      ['detach', 2, { name: 'admin', interface: 'pcp' }],
      ['attach', 2, { name: 'admin', interface: 'pcp' }],
      ['promote', 1, { name: 'admin', interface: 'pcp' }],
    ]);
    expect(engine.actions[2]!.extra).toEqual({ switchover: true });
  });

  it('recovery replies only when the run has ended; errors are reported', async () => {
    engine.state.setStatus(0, 'down', null);
    engine.recoveryMs = 1500;
    const t0 = Date.now();
    const ok = await pcp('pcp_recovery_node', ['-n', '0']);
    expect(ok.stdout).toBe('pcp_recovery_node -- Command Successful\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    engine.recoveryMs = 10;
    engine.recoveryMode = 'fail';
    engine.state.setStatus(0, 'down', null);
    expect((await pcp('pcp_recovery_node', ['-n', '0'])).stderr).toContain(
      'ERROR:  node recovery failed, node id: 0',
    );
    engine.recoveryMode = 'not_implemented';
    expect((await pcp('pcp_recovery_node', ['-n', '0'])).stderr).toContain(
      'ERROR:  online recovery is not implemented yet',
    );
    expect((await pcp('pcp_recovery_node', ['-n', '1'])).stderr).toContain(
      'DETAIL:  primary server cannot be recovered by online recovery.',
    );
  });

  it('health check stats, proc count/info, pool status, watchdog, reload', async () => {
    const hc = await pcp('pcp_health_check_stats', ['-n', '0']);
    expect(hc.stdout).toMatch(
      /^0 localhost 11002 (up|down) standby \S+ \S+ 0 0 0 0 0 0\.000000 0 0 0 0\.000000/,
    );
    const t = new Date();
    engine.sessionList = [7, 8].map((slot) => ({
      poolPid: slot,
      startTime: t,
      clientConnectionCount: 1,
      database: 'app',
      username: 'alice',
      clientAddress: '127.0.0.1',
      applicationName: 'psql',
      backendConnectionTime: t,
      poolCounter: 1,
      status: 'Idle' as const,
      loadBalanceNode: 1,
    }));
    expect((await pcp('pcp_proc_count', [])).stdout).toBe('7 8 \n');
    const info = await pcp('pcp_proc_info', ['-P', '8']);
    // database username start_time client_connection_count major minor ... pid backend_id status (§1.5 P)
    expect(info.stdout.startsWith('app alice ')).toBe(true);
    expect(info.stdout.endsWith(' 8 0 Idle\n')).toBe(true);
    const unknown = await pcp('pcp_proc_info', ['-P', '99']);
    expect(unknown.stderr).toContain(
      'ERROR:  informing process info failed\nDETAIL:  invalid process ID : 99',
    );
    const ps = await pcp('pcp_pool_status', []);
    expect(ps.stdout).toContain('name : backend_clustering_mode\nvalue: 1\ndesc : ');
    expect(ps.stdout).toContain('name : backend_weight2\nvalue: 0.333333\n');
    expect((await pcp('pcp_watchdog_info', [])).stderr).toBe(
      'ERROR:  PCP: informing watchdog info failed\nDETAIL:  watchdog is not enabled\n\n',
    );
    expect((await pcp('pcp_reload_config', [])).stdout).toBe('pcp_reload_config -- Command Successful\n');
  });

  it('wrong password / unknown user -> FATAL authentication failed, rc 1', async () => {
    const r = await pcp('pcp_node_count', [], { user: 'intruder' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'FATAL:  authentication failed for user "intruder"\nDETAIL:  username and/or password does not match',
    );
    const pw = await raw(
      Buffer.concat([frame('M'), frame('R', Buffer.from('admin\0' + 'f'.repeat(32) + '\0'))]),
    );
    expect(pw.packets[0]?.type).toBe('m');
    expect(errorText(pw.packets[1])).toBe(
      'FATAL: authentication failed for user "admin" / username and/or password does not match',
    );
    expect(pw.closed).toBe(true);
  });

  it('malformed input is refused per connection and never disturbs other clients', async () => {
    const big = Buffer.alloc(5);
    big.write('L', 0);
    big.writeInt32BE(0x40000000, 1);
    const huge = await raw(big);
    expect(errorText(huge.packets[0])).toBe(
      'FATAL: invalid PCP packet / incorrect packet length (1073741824)',
    );
    expect(huge.closed).toBe(true);

    const before = await raw(frame('L'));
    expect(errorText(before.packets[0])).toBe(
      'FATAL: authentication failed for new PCP connection / connection not authorized',
    );

    const noSalt = await raw(frame('R', Buffer.from('admin\0x\0')));
    expect(errorText(noSalt.packets[0])).toBe(
      'FATAL: authentication failed / username and/or password does not match',
    );

    const junk = await raw(Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff)));
    expect(junk.packets[0]?.type).toBe('E');
    expect(junk.closed).toBe(true);

    // A client that stops mid-packet is dropped after authentication_timeout (1 s) while others keep working.
    const pending = raw(Buffer.from([0x4d, 0, 0]), 5000);
    const meanwhile = await Promise.all([pcp('pcp_node_count', []), pcp('pcp_node_count', [])]);
    expect(meanwhile.map((m) => m.stdout)).toEqual(['3\n', '3\n']);
    const silent = await pending;
    expect(silent.closed).toBe(true);
    expect(errorText(silent.packets[0])).toBe('FATAL: authentication timeout / no PCP request');
  });

  it('a request dribbled one byte per TCP write is served', async () => {
    const reply = await new Promise<PcpPacket[]>((resolve, reject) => {
      const reader = new PcpPacketReader(1 << 20);
      const s = connect({ host: '127.0.0.1', port });
      s.on('error', reject);
      s.on('connect', () => {
        const bytes = Buffer.concat([frame('M'), frame('M')]);
        let i = 0;
        const tick = setInterval(() => {
          if (i < bytes.length) s.write(bytes.subarray(i, ++i));
          else clearInterval(tick);
        }, 5);
      });
      const got: PcpPacket[] = [];
      s.on('data', (c: Buffer) => {
        reader.push(c);
        for (let p = reader.next(); p && !('error' in p); p = reader.next()) got.push(p);
        if (got.length === 2) {
          s.destroy();
          resolve(got);
        }
      });
    });
    expect(reply.map((p) => [p.type, p.payload.length])).toEqual([
      ['m', 4],
      ['m', 4],
    ]);
  });

  it('unknown packet type after authentication -> FATAL, and the Unix socket works', async () => {
    const unix = await new Promise<Run>((resolve) =>
      execFile(
        '/usr/sbin/pcp_node_count',
        ['-h', dir, '-p', String(port), '-U', 'admin', '-w'],
        { env: { ...process.env, PCPPASSFILE: passFile }, timeout: 10_000 },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? 1 : 0 }),
      ),
    );
    expect(unix.stdout).toBe('3\n');
    const client = await PcpClient.connect({ host: '127.0.0.1', port, user: 'admin', password: 'secret' });
    expect(await client.nodeCount()).toBe(3);
    await expect(client.exchange('Q', Buffer.alloc(0), false)).rejects.toMatchObject({
      severity: 'FATAL',
      message: 'PCP processing request',
      detail: 'unknown PCP packet type "Q"',
    });
    await client.close();
    expect(server.socketPath).toBe(path.join(dir, `.s.PGSQL.${port}`));
  });

  it('pgwarden runbook subcommands: output, --json and exit statuses', async () => {
    const cli = (args: string[], user = 'admin'): Promise<Run> =>
      new Promise((resolve) =>
        execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            path.resolve(__dirname, '../../server/cli.ts'),
            ...args,
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            '-U',
            user,
            '-w',
          ],
          { env: { ...process.env, PCPPASSFILE: passFile }, timeout: 30_000 },
          (err, stdout, stderr) =>
            resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : -1) : 0 }),
        ),
      );
    engine.state.setStatus(2, 'down', null);
    engine.recoveryMode = 'ok';
    engine.recoveryMs = 300;
    const rec = await cli(['recover', '2']);
    expect(rec.code).toBe(0);
    expect(rec.stderr).toMatch(/^recovery of node 2 started at \S+; waiting for it to end\n/);
    expect(rec.stdout).toMatch(/^node 2 recovered in \d+\.\d s \(status up\)\n$/);
    const json = await cli(['node-info', '2', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      node: { nodeId: 2, status: 'up', port: 11004 },
    });
    const refused = await cli(['detach', '9', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { severity: 'ERROR' } });
    const wd = await cli(['watchdog']);
    expect(wd.code).toBe(1);
    expect(wd.stderr).toContain('DETAIL:  watchdog is not enabled');
    const denied = await cli(['nodes'], 'intruder');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('FATAL:  authentication failed for user "intruder"');
  }, 90_000);

  it('pcp_stop_pgpool replies, then asks the engine to shut down', async () => {
    expect((await pcp('pcp_stop_pgpool', ['-m', 'fast'])).stdout).toBe(
      'pcp_stop_pgpool -- Command Successful\n',
    );
    expect(engine.shutdowns).toEqual(['fast']);
  });
});
