/**
 * `npm run demo` as a user runs it: started as a child process (its own process group, like a terminal job) with its
 * state in a temp dir (PGWARDEN_DEMO_DIR) and free ports, so it never collides with a developer's ./.demo. Waits for
 * the dashboard, checks it in Debian's chromium (three nodes, one primary), runs the psql and pcp_node_info commands
 * the demo prints, then presses Ctrl-C (SIGINT to the group) and checks that nothing is left: no process of that demo
 * dir, and the proxy, PCP, dashboard and PostgreSQL ports free again.
 *
 * Needs `npm run build` first (the demo would build the dashboard itself, which takes minutes).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isPidAlive, releasePort } from '../helpers/pg-cluster';

const ROOT = path.resolve(__dirname, '../..');
const exec = promisify(execFile);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];

let demo: ChildProcess | undefined;
let demoLog = '';
let demoDir = '';
let exitCode: number | null = null;
const ports = { proxy: 0, pcp: 0, dashboard: 0 };
let nodePorts: number[] = [];

/** Pids of processes whose command line mentions the demo dir (postgres -D, pgwarden -f, the demo itself). */
function processesOf(dir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(dir) && isPidAlive(Number(e))) out.push({ pid: Number(e), cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function waitFor(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== null)
      throw new Error(`the demo exited (${exitCode}) while waiting for ${what}:\n${demoLog}`);
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} not ready after ${timeoutMs} ms:\n${demoLog.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ctrl-C: SIGINT to the demo's process group; resolves with its exit code and the time it took. */
async function pressCtrlC(timeoutMs: number): Promise<{ code: number | null; ms: number }> {
  const child = demo!;
  const t0 = Date.now();
  if (exitCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(-child.pid!, 'SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, timeoutMs))]);
  }
  return { code: exitCode, ms: Date.now() - t0 };
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID')))
    throw new Error('no Next build: run `npm run build` first');
  demoDir = mkdtempSync(path.join(tmpdir(), 'pgwarden-demo-test-'));
  chmodSync(demoDir, 0o755); // the PostgreSQL servers run as `postgres` below it
  ports.proxy = await freePort();
  ports.pcp = await freePort();
  ports.dashboard = await freePort();
  demo = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts')], {
    cwd: ROOT,
    detached: true, // its own process group, as a shell job: Ctrl-C goes to the demo and pgwarden
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PGWARDEN_DEMO_DIR: demoDir,
      PGWARDEN_DEMO_PORT: String(ports.proxy),
      PGWARDEN_DEMO_PCP_PORT: String(ports.pcp),
      PGWARDEN_DEMO_DASHBOARD_PORT: String(ports.dashboard),
    },
  });
  demo.stdout?.on('data', (d: Buffer) => (demoLog += d.toString()));
  demo.stderr?.on('data', (d: Buffer) => (demoLog += d.toString()));
  demo.on('exit', (code, sig) => (exitCode = code ?? (sig ? 128 : 1)));
  const t0 = Date.now();
  await waitFor('the dashboard', 180_000, async () => {
    const r = await fetch(`http://localhost:${ports.dashboard}/api/trpc/auth.me`);
    return r.ok;
  });
  console.log(`[demo.test] npm run demo ready in ${Date.now() - t0} ms`);
  const meta = JSON.parse(readFileSync(path.join(demoDir, 'pg/cluster.json'), 'utf8')) as {
    nodes: { port: number }[];
  };
  nodePorts = meta.nodes.map((n) => n.port);
}, 240_000);

afterAll(async () => {
  // Whatever happened: no demo, pgwarden or postgres of this dir may survive the test.
  if (demo && exitCode === null) {
    await pressCtrlC(30_000);
    if (exitCode === null) process.kill(-demo.pid!, 'SIGKILL');
  }
  for (const p of processesOf(demoDir)) {
    try {
      process.kill(p.pid, p.cmd.includes('postgres') ? 'SIGQUIT' : 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const p of Object.values(ports)) if (p) releasePort(p);
  if (demoDir) rmSync(demoDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}, 90_000);

describe('npm run demo', () => {
  it('prints how to connect, with its ports and dir', () => {
    expect(demoLog).toContain(`preparing a 3-node PostgreSQL 15 streaming cluster in ${demoDir}`);
    expect(demoLog).toContain(`psql -h 127.0.0.1 -p ${ports.proxy} -U postgres`);
    expect(demoLog).toContain(`http://localhost:${ports.dashboard}`);
    expect(nodePorts).toHaveLength(3);
  });

  it('shows three nodes with one primary in the dashboard', async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: CHROMIUM_ARGS,
        headless: true,
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`http://localhost:${ports.dashboard}/`);
      // The credentials the demo prints.
      await page.getByLabel('User name').fill('pgwarden');
      await page.getByLabel('Password').fill('pgwarden');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The overview comes first; the node table is the Nodes view.
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: 'Nodes', exact: true })
        .click();
      await page.waitForFunction(
        () => {
          const trs = [...document.querySelectorAll('[data-testid="node-table"] tbody tr')];
          return (
            trs.length === 3 &&
            trs.every((tr) => ['up', 'waiting'].includes(tr.getAttribute('data-status') ?? '')) &&
            trs.filter((tr) => tr.getAttribute('data-role') === 'primary').length === 1
          );
        },
        undefined,
        { timeout: 60_000 },
      );
      const primary = page.locator('[data-testid="node-table"] tbody tr[data-role="primary"]');
      expect(await primary.count()).toBe(1);
      expect(await primary.textContent()).toContain(`127.0.0.1:${nodePorts[0]}`);
    } finally {
      await browser?.close();
    }
  });

  it('answers show pool_nodes through the proxy, as printed', async () => {
    const r = await exec(
      'psql',
      [
        '-X',
        '-A',
        '-t',
        '-F',
        '|',
        '-h',
        '127.0.0.1',
        '-p',
        String(ports.proxy),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-c',
        'show pool_nodes',
      ],
      {
        timeout: 30_000,
        env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
      },
    );
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    expect(rows).toHaveLength(3);
    expect(rows.map((c) => c[1])).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(rows.map((c) => Number(c[2]))).toEqual(nodePorts);
    expect(rows.filter((c) => c[6] === 'primary')).toHaveLength(1);
    expect(rows.filter((c) => c[6] === 'standby')).toHaveLength(2);
  });

  it('answers pcp_node_info with the pcppass file it wrote, as printed', async () => {
    const r = await exec(
      'pcp_node_info',
      ['-h', 'localhost', '-p', String(ports.pcp), '-U', 'pgwarden', '-w', '-n', '0'],
      { timeout: 30_000, env: { ...process.env, PCPPASSFILE: path.join(demoDir, 'etc/pcppass') } },
    );
    // pcp_node_info: "hostname port status weight status_name backend_status role backend_role ..."
    const f = r.stdout.trim().split(' ');
    expect(f[0]).toBe('127.0.0.1');
    expect(Number(f[1])).toBe(nodePorts[0]);
    expect(['up', 'waiting']).toContain(f[4]);
    expect(f[6]).toBe('primary');
  });

  it('stops everything on Ctrl-C: no process of its dir left, every port free', async () => {
    const { code, ms } = await pressCtrlC(60_000);
    console.log(`[demo.test] stopped in ${ms} ms with exit code ${code}`);
    expect(code).toBe(0);
    expect(demoLog).toContain('stopping pgwarden and the PostgreSQL cluster');
    // Postmasters may need a moment after their pid file is gone; pg-cluster waits, but be generous.
    await waitFor0(() => processesOf(demoDir).length === 0, 15_000);
    expect(processesOf(demoDir)).toEqual([]);
    for (const p of [...Object.values(ports), ...nodePorts]) expect(await canBind(p)).toBe(true);
    // ...and the demo released its reservations of the PostgreSQL ports (tests/helpers/pg-cluster/ports.ts).
    for (const p of nodePorts) expect(existsSync(`/tmp/pgwarden-ports/${p}.lock`)).toBe(false);
    // The kept cluster stays on disk for the next run, stopped.
    for (const n of readdirSync(path.join(demoDir, 'pg')).filter((e) => /^node\d+$/.test(e)))
      expect(existsSync(path.join(demoDir, 'pg', n, 'data/postmaster.pid'))).toBe(false);
  }, 90_000);
});

async function waitFor0(ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
