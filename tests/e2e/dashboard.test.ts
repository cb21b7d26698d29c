/**
 * The dashboard in a real browser against the real product: a 3-node streaming PostgreSQL cluster, `pgwarden -n`
 * started as a child process (bin/pgwarden.mjs: the build, or the source through tsx), Debian's chromium driven by
 * playwright-core with a fresh profile. Signs in with the pcp.conf user and checks the node table: three nodes up, the
 * primary marked. Screenshots (desktop and phone widths) go to tests/artifacts/.
 *
 * Needs `npm run build` first (Next serves the production build; scripts/test.mjs builds when none exists).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, freePort, releasePort, type PgCluster } from '../helpers/pg-cluster';
import { writePgwardenConfig, type PgwardenConfig } from '../helpers/pgwarden-process';

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let cluster: PgCluster | undefined;
let conf: PgwardenConfig | undefined;
let server: ChildProcess | undefined;
let serverLog = '';
let dashboardPort = 0;
let context: BrowserContext | undefined;
let profileDir = '';

async function waitForDashboard(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server?.exitCode !== null) throw new Error(`pgwarden exited (${server?.exitCode}):\n${serverLog}`);
    try {
      const r = await fetch(`${url}/api/trpc/auth.me`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`dashboard not up after ${timeoutMs} ms:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT'); // pgpool's fast shutdown
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID')))
    throw new Error('no Next build: run `npm run build` first');
  mkdirSync(ARTIFACTS, { recursive: true });
  cluster = await createCluster({ mode: 'streaming', nodes: 3 });
  dashboardPort = await freePort();
  const dataDir = path.join(cluster.baseDir, 'pgwarden-data');
  conf = await writePgwardenConfig(cluster, {
    settings: {
      dashboard_listen_address: 'localhost',
      dashboard_port: dashboardPort,
      data_directory: dataDir,
      logdir: dataDir,
      pid_file_name: path.join(dataDir, 'pgwarden.pid'),
      sr_check_period: 1,
    },
  });
  server = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/pgwarden.mjs'),
      '-n',
      '-D',
      '-f',
      conf.pgpoolConf,
      '-F',
      conf.pcpConf,
      '-a',
      conf.hbaConf,
    ],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  await waitForDashboard(`http://localhost:${dashboardPort}`, 90_000);

  profileDir = mkdtempSync(path.join(tmpdir(), 'pgwarden-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
}, 240_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await stopServer();
  conf?.release();
  if (dashboardPort) releasePort(dashboardPort);
  await cluster?.destroy();
}, 90_000);

async function signIn(page: Page): Promise<void> {
  await page.goto(`http://localhost:${dashboardPort}/`);
  await page.getByLabel('User name').fill(conf!.pcpUser.name);
  await page.getByLabel('Password').fill(conf!.pcpUser.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('dashboard', () => {
  it('refuses a wrong password and says so', async () => {
    const page = await context!.newPage();
    await page.goto(`http://localhost:${dashboardPort}/`);
    await page.getByLabel('User name').fill(conf!.pcpUser.name);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Next's route announcer is also role=alert: look for ours by its text.
    await page
      .getByRole('alert')
      .filter({ hasText: 'wrong user name or password' })
      .waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
    await page.close();
  });

  it('shows the three nodes in service, with the primary marked', async () => {
    const page = await context!.newPage();
    await signIn(page);
    const rows = page.locator('[data-testid="node-table"] tbody tr');
    // In service = up, or waiting (pgpool's "not used by a client yet"); the table refreshes every second.
    await page
      .waitForFunction(
        () => {
          const trs = [...document.querySelectorAll('[data-testid="node-table"] tbody tr')];
          return (
            trs.length === 3 &&
            trs.every((tr) => ['up', 'waiting'].includes(tr.getAttribute('data-status') ?? '')) &&
            trs.some((tr) => tr.getAttribute('data-role') === 'primary')
          );
        },
        undefined,
        { timeout: 60_000 },
      )
      .catch(async (e: unknown) => {
        await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-failure.png'), fullPage: true });
        throw new Error(`${String(e)}\n--- pgwarden log ---\n${serverLog}`);
      });
    expect(await rows.count()).toBe(3);
    const primary = page.locator('[data-testid="node-table"] tbody tr[data-role="primary"]');
    expect(await primary.count()).toBe(1);
    expect(await primary.getAttribute('data-node-id')).toBe('0');
    expect(await primary.textContent()).toContain('primary');
    expect(await primary.textContent()).toContain(`127.0.0.1:${cluster!.nodes[0]!.port}`);
    for (const id of [1, 2]) {
      const row = page.locator(`[data-testid="node-table"] tbody tr[data-node-id="${id}"]`);
      expect(await row.textContent()).toContain('standby');
    }
    await expect(page.getByTestId('cluster-summary').textContent()).resolves.toContain('node 0');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1280.png'), fullPage: true });
    await page.close();
  });

  it('is usable on a phone, in the dark scheme: one card per node', async () => {
    const page = await context!.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' }); // and the dark scheme while at it
    await page.goto(`http://localhost:${dashboardPort}/`); // the session cookie from the previous test signs us in
    const cards = page.locator('[data-testid="node-cards"] li');
    await cards.first().waitFor({ timeout: 30_000 });
    expect(await cards.count()).toBe(3);
    expect(
      await page.locator('[data-testid="node-cards"] li[data-role="primary"]').getAttribute('data-node-id'),
    ).toBe('0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone-dark.png'), fullPage: true });
    await page.close();
  });

  it('lets an operator detach a standby, shows it down with the reason, and attach it back', async () => {
    const page = await context!.newPage();
    page.on('dialog', (d) => void d.accept('e2e maintenance'));
    await page.goto(`http://localhost:${dashboardPort}/`);
    const row = page.locator('[data-testid="node-table"] tbody tr[data-node-id="2"]');
    await row.waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Detach node 2' }).click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="node-table"] tbody tr[data-node-id="2"]')
          ?.getAttribute('data-status') === 'down',
      undefined,
      { timeout: 20_000 },
    );
    expect(await row.textContent()).toContain('down');
    expect(await row.textContent()).toContain('e2e maintenance'); // the reason, kept with the status
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-1280-node-down.png'), fullPage: true });
    await page.getByRole('button', { name: 'Attach node 2' }).click();
    await page.waitForFunction(
      () =>
        ['up', 'waiting'].includes(
          document
            .querySelector('[data-testid="node-table"] tbody tr[data-node-id="2"]')
            ?.getAttribute('data-status') ?? '',
        ),
      undefined,
      { timeout: 30_000 },
    );
    await page.close();
  });

  it('lists the persisted audit trail (engine start)', async () => {
    const page = await context!.newPage();
    await page.goto(`http://localhost:${dashboardPort}/`);
    await expect(page.getByTestId('recent-events').textContent({ timeout: 20_000 })).resolves.toContain(
      'pgwarden started',
    );
    await page.close();
  });
});
