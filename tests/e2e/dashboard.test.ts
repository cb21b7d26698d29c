/**
 * The dashboard in a real browser against the real product: a 3-node streaming PostgreSQL cluster, `pgwarden -n`
 * started as a child process (bin/pgwarden.mjs: the build, or the source through tsx), Debian's chromium driven by
 * playwright-core with fresh profiles. An operator (the pcp.conf user) signs in, reads the overview and the nodes
 * table, detaches and attaches node 2 with a reason (seen without a reload, and in the audit trail), changes a weight,
 * kills standby 2 and recovers it online from the Recovery view, watching each stage live; a viewer (a store user)
 * finds every action disabled. Screenshots (1280 px and phone, light and dark) go to tests/artifacts/ (docs/screenshots.md).
 *
 * Needs `npm run build` first (Next serves the production build; scripts/test.mjs builds when none exists). Every wait
 * is for a condition, never a fixed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../server/services/auth/users';
import { openStore, resolveStoreLocation } from '../../server/services/store/client';
import { migrateStore } from '../../server/services/store/migrate';
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
const VIEWER = { name: 'vera', password: 'viewer-pass' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let cluster: PgCluster | undefined;
let conf: PgwardenConfig | undefined;
let server: ChildProcess | undefined;
let serverLog = '';
let dashboardPort = 0;
let operator: BrowserContext | undefined;
let viewer: BrowserContext | undefined;
const profiles: string[] = [];

const url = (p = '/') => `http://localhost:${dashboardPort}${p}`;

async function waitForDashboard(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server?.exitCode !== null) throw new Error(`pgwarden exited (${server?.exitCode}):\n${serverLog}`);
    try {
      const r = await fetch(url('/api/trpc/auth.me'));
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

async function newContext(): Promise<BrowserContext> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgwarden-chromium-'));
  profiles.push(dir);
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: DESKTOP,
  });
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID')))
    throw new Error('no Next build: run `npm run build` first');
  mkdirSync(ARTIFACTS, { recursive: true });
  cluster = await createCluster({ mode: 'streaming', nodes: 3 });
  dashboardPort = await freePort();
  const dataDir = path.join(cluster.baseDir, 'pgwarden-data');
  conf = await writePgwardenConfig(cluster, {
    exampleScripts: true, // failover.sh, follow_primary.sh, recovery_1st_stage (pg_basebackup), pgpool_remote_start
    settings: {
      dashboard_listen_address: 'localhost',
      dashboard_port: dashboardPort,
      data_directory: dataDir,
      logdir: dataDir,
      pid_file_name: path.join(dataDir, 'pgwarden.pid'),
      sr_check_period: 1,
      recovery_script_runner: 'direct',
    },
  });
  // A viewer kept in the store (the same SQLite file pgwarden opens under data_directory).
  const store = await openStore(resolveStoreLocation('', dataDir));
  await migrateStore(store);
  await upsertUser(store.client, VIEWER.name, VIEWER.password, 'viewer');
  await store.close();

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
  await waitForDashboard(90_000);
  operator = await newContext();
  viewer = await newContext();
}, 240_000);

afterAll(async () => {
  await operator?.close().catch(() => undefined);
  await viewer?.close().catch(() => undefined);
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  await stopServer();
  conf?.release();
  if (dashboardPort) releasePort(dashboardPort);
  await cluster?.destroy();
}, 90_000);

async function signIn(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto(url('/'));
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
}

/** Navigates with the nav bar (client-side: the marker set on window survives, a reload would drop it). */
const VIEW_PATHS: Record<string, string> = {
  Overview: '/',
  Nodes: '/nodes',
  Recovery: '/recovery',
  Events: '/events',
  'Sessions & pools': '/pools',
  Configuration: '/config',
};

async function goTo(page: Page, view: keyof typeof VIEW_PATHS): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: view, exact: true })
    .click();
  await page.waitForURL((u) => u.pathname === VIEW_PATHS[view]);
}

async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __pgw: number }).__pgw = 1));
}

async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pgw?: number }).__pgw)).toBe(1);
}

/** Waits until node `id`'s row has a status among `statuses` (the table refreshes itself; no reload). */
async function waitForRowStatus(page: Page, id: number, statuses: string[], timeout: number): Promise<void> {
  await page
    .waitForFunction(
      ([nodeId, wanted]) =>
        (wanted as string[]).includes(
          document
            .querySelector(`[data-testid="node-table"] tbody tr[data-node-id="${nodeId as number}"]`)
            ?.getAttribute('data-status') ?? '',
        ),
      [id, statuses] as const,
      { timeout },
    )
    .catch(async (e: unknown) => {
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-failure.png'), fullPage: true });
      throw new Error(
        `node ${id} not ${statuses.join('/')}: ${String(e)}\n--- pgwarden log ---\n${serverLog}`,
      );
    });
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

/** Shows the page at phone width in the dark scheme, screenshots it, and restores desktop light. */
async function phoneDarkShot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, name);
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('dashboard', () => {
  it('refuses a wrong password and says so', async () => {
    const page = await operator!.newPage();
    await page.goto(url('/'));
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

  it('overview and nodes: the primary and two standbys in service, with weights; views switch without reloads', async () => {
    const page = await operator!.newPage();
    await signIn(page, conf!.pcpUser);
    await markPage(page);
    // Overview: one card per node, node 0 primary, all in service; the watchdog says it is off.
    await page
      .waitForFunction(
        () => {
          const cards = [...document.querySelectorAll('[data-testid="overview-nodes"] li')];
          return (
            cards.length === 3 &&
            cards.every((c) => ['up', 'waiting'].includes(c.getAttribute('data-health') ?? ''))
          );
        },
        undefined,
        { timeout: 60_000 },
      )
      .catch(async (e: unknown) => {
        await shot(page, 'dashboard-failure');
        throw new Error(`${String(e)}\n--- pgwarden log ---\n${serverLog}`);
      });
    expect(await page.getByTestId('cluster-summary').textContent()).toContain('node 0');
    await expect(page.getByTestId('watchdog').textContent()).resolves.toContain('watchdog off');
    // The audit trail is persisted asynchronously: wait for the start event rather than read it at once.
    await page
      .getByTestId('recent-events')
      .locator('li')
      .filter({ hasText: 'pgwarden started' })
      .waitFor({ timeout: 20_000 });
    await shot(page, 'overview-1280');

    await goTo(page, 'Nodes');
    const rows = page.locator('[data-testid="node-table"] tbody tr');
    await waitForRowStatus(page, 2, ['up', 'waiting'], 30_000);
    expect(await rows.count()).toBe(3);
    const primary = page.locator('[data-testid="node-table"] tbody tr[data-role="primary"]');
    expect(await primary.getAttribute('data-node-id')).toBe('0');
    expect(await primary.textContent()).toContain(`127.0.0.1:${cluster!.nodes[0]!.port}`);
    for (const id of [1, 2]) {
      const row = page.locator(`[data-testid="node-table"] tbody tr[data-node-id="${id}"]`);
      expect(await row.getAttribute('data-role')).toBe('standby');
      expect(await row.getAttribute('data-weight')).toBe('1');
      expect(await row.textContent()).toContain('33%'); // 1 of 3: SHOW pool_nodes' lb_weight
    }
    await expectNoReload(page);
    await shot(page, 'nodes-1280');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'nodes-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
  });

  it('is usable on a phone, in the dark scheme: one card per node', async () => {
    const page = await operator!.newPage();
    await page.setViewportSize(PHONE);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(url('/nodes')); // the session cookie from the previous test signs us in
    const cards = page.locator('[data-testid="node-cards"] li');
    await cards.nth(2).waitFor({ timeout: 30_000 });
    expect(await cards.count()).toBe(3);
    expect(
      await page.locator('[data-testid="node-cards"] li[data-role="primary"]').getAttribute('data-node-id'),
    ).toBe('0');
    // The page does not scroll sideways at 390 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'nodes-phone-dark');
    await goTo(page, 'Overview');
    await page.locator('[data-testid="overview-nodes"] li').nth(2).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'overview-phone-dark');
    await page.close();
  });

  it('detaches node 2 with a reason, shows it down without a reload and the event in the audit trail, attaches it back', async () => {
    const page = await operator!.newPage();
    await page.goto(url('/nodes'));
    await waitForRowStatus(page, 2, ['up', 'waiting'], 30_000);
    await markPage(page);
    await page.getByRole('button', { name: 'Detach node 2' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('e2e maintenance of node 2');
    await dialog.getByRole('button', { name: 'Detach', exact: true }).click();
    await waitForRowStatus(page, 2, ['down'], 20_000);
    const row = page.locator('[data-testid="node-table"] tbody tr[data-node-id="2"]');
    expect(await row.textContent()).toContain('down');
    expect(await row.textContent()).toContain('e2e maintenance of node 2'); // the reason, kept with the status
    await dialog.waitFor({ state: 'hidden', timeout: 20_000 }); // closes when the mutation answers
    await expectNoReload(page);
    await shot(page, 'nodes-1280-node-down');

    // The audit trail, filtered to node 2 and the dashboard interface, has the detach with who and why.
    await goTo(page, 'Events');
    await page.getByLabel('Node filter').selectOption('2');
    await page.getByLabel('Interface filter').selectOption('dashboard');
    const entry = page
      .locator('[data-testid="events-list"] li[data-interface="dashboard"][data-node-id="2"]')
      .filter({ hasText: 'e2e maintenance of node 2' });
    await entry.first().waitFor({ timeout: 20_000 });
    expect(await entry.first().getAttribute('data-actor')).toBe(conf!.pcpUser.name);
    // Every row shown matches the filter, once the answer to the last filter change has replaced the list (the
    // node filter's answer may still be on screen for a moment).
    await page.waitForFunction(
      () => {
        const lis = [...document.querySelectorAll('[data-testid="events-list"] li')];
        return (
          lis.length > 0 &&
          lis.every(
            (li) =>
              li.getAttribute('data-node-id') === '2' && li.getAttribute('data-interface') === 'dashboard',
          )
        );
      },
      undefined,
      { timeout: 20_000 },
    );
    await expectNoReload(page);
    await page.getByLabel('Interface filter').selectOption('');
    await page.getByLabel('Node filter').selectOption('');
    await page
      .locator('[data-testid="events-list"] li[data-interface="engine"]')
      .first()
      .waitFor({ timeout: 20_000 });
    await shot(page, 'events-1280');
    await phoneDarkShot(page, 'events-phone-dark');

    await goTo(page, 'Nodes');
    await page.getByRole('button', { name: 'Attach node 2' }).click();
    await dialog.getByLabel('Reason').fill('e2e maintenance done');
    await dialog.getByRole('button', { name: 'Attach', exact: true }).click();
    await waitForRowStatus(page, 2, ['up', 'waiting'], 30_000);
    await expectNoReload(page);
    await page.close();
  });

  it('changes a weight at run time', async () => {
    const page = await operator!.newPage();
    await page.goto(url('/nodes'));
    await waitForRowStatus(page, 1, ['up', 'waiting'], 30_000);
    await page.getByRole('button', { name: 'Edit weight of node 1' }).click();
    await page.getByLabel('New weight of node 1').fill('3');
    await page.getByRole('button', { name: 'Save weight of node 1' }).click();
    const row = page.locator('[data-testid="node-table"] tbody tr[data-node-id="1"]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="node-table"] tbody tr[data-node-id="1"]')
          ?.getAttribute('data-weight') === '3',
      undefined,
      { timeout: 20_000 },
    );
    expect(await row.textContent()).toContain('60%'); // 3 of 1+3+1
    await page.close();
  });

  it('recovers a failed standby online from the Recovery view, each stage appearing live', async () => {
    const page = await operator!.newPage();
    await page.goto(url('/nodes'));
    await waitForRowStatus(page, 2, ['up', 'waiting'], 30_000);
    await markPage(page);

    // A refusal shows the engine's reason in the dialog: node 1 is up, there is nothing to recover.
    await goTo(page, 'Recovery');
    await page.getByLabel('Node to recover').selectOption('1');
    await page.getByRole('button', { name: 'Start recovery', exact: true }).click();
    const refusal = page.getByRole('dialog');
    await refusal.getByLabel('Reason').fill('e2e: should be refused');
    await refusal.getByRole('button', { name: 'Start recovery', exact: true }).click();
    const alert = refusal.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    const refusedText = (await alert.textContent()) ?? '';
    console.log(`[e2e recovery] refusal shown: ${refusedText}`);
    expect(refusedText).toContain('refused:');
    expect(refusedText).toMatch(/\(node_[a-z_]+\)/); // the engine's stable code
    await refusal.getByRole('button', { name: 'Cancel', exact: true }).click();
    await goTo(page, 'Nodes');

    await cluster!.nodes[2]!.kill9();
    await waitForRowStatus(page, 2, ['down'], 60_000); // health check fails -> failover_command -> down

    await goTo(page, 'Recovery');
    await page.getByLabel('Node to recover').selectOption('2');
    // Record every distinct state of the stage list the page shows, to prove the stages appeared one by one.
    await page.evaluate(() => {
      const w = window as unknown as { __stages: string[] };
      w.__stages = [];
      const snap = () => {
        const s = [...document.querySelectorAll('[data-testid="recovery-stages"] li')]
          .map((li) => `${li.getAttribute('data-stage')}:${li.getAttribute('data-outcome')}`)
          .join(',');
        if (s && w.__stages[w.__stages.length - 1] !== s) w.__stages.push(s);
      };
      new MutationObserver(snap).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-outcome'],
      });
    });
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Start recovery', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('e2e: rebuild the killed standby');
    await dialog.getByRole('button', { name: 'Start recovery', exact: true }).click();
    await page.getByTestId('recovery-stages').waitFor({ timeout: 20_000 });
    await page
      .waitForFunction(
        () =>
          ['ok', 'failed', 'cancelled'].includes(
            document.querySelector('[data-testid="recovery-run"]')?.getAttribute('data-outcome') ?? '',
          ),
        undefined,
        { timeout: 150_000 },
      )
      .catch(async (e: unknown) => {
        await shot(page, 'dashboard-failure');
        throw new Error(`${String(e)}\n--- pgwarden log ---\n${serverLog}`);
      });
    const elapsed = Date.now() - t0;
    const seen = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages);
    console.log(`[e2e recovery] ${elapsed} ms, ${seen.length} states seen:\n  ${seen.join('\n  ')}`);
    expect(await page.getByTestId('recovery-run').getAttribute('data-outcome')).toBe('ok');
    const final = seen[seen.length - 1]!;
    expect(final).toBe('first_stage:ok,remote_start:ok,wait_postmaster:ok,attach:ok');
    // Live: the page showed intermediate states (some stage running while later ones were pending), not only the end.
    expect(seen.some((s) => s.includes(':running'))).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(
      await page.locator('[data-testid="recovery-stages"] [data-testid="stage-output"]').count(),
    ).toBeGreaterThan(0);
    await expectNoReload(page);
    await page
      .locator('[data-testid="recovery-runs"] li[data-outcome="ok"]')
      .first()
      .waitFor({ timeout: 20_000 });
    await shot(page, 'recovery-1280');
    await phoneDarkShot(page, 'recovery-phone-dark');

    await goTo(page, 'Nodes');
    await waitForRowStatus(page, 2, ['up', 'waiting'], 60_000);
    await goTo(page, 'Overview');
    await page.locator('[data-testid="overview-nodes"] li').nth(2).waitFor({ timeout: 20_000 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'overview-1280-dark');
    await page.close();
  });

  it('lists a client session and its cached backend connections', async () => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: conf!.port,
      user: 'postgres',
      database: 'postgres',
      application_name: 'e2e-session',
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('SELECT 1');
      const page = await operator!.newPage();
      await page.goto(url('/'));
      await markPage(page);
      await goTo(page, 'Sessions & pools');
      await page
        .locator('[data-testid="sessions-table"] tbody tr')
        .filter({ hasText: 'e2e-session' })
        .waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="pools-table"] tbody tr').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid="pools-table"] tbody').textContent()).toContain('postgres');
      await expectNoReload(page);
      await shot(page, 'pools-1280');
      await page.close();
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('a viewer sees every action disabled', async () => {
    const page = await viewer!.newPage();
    await signIn(page, VIEWER);
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('viewer');
    await goTo(page, 'Nodes');
    await waitForRowStatus(page, 1, ['up', 'waiting'], 30_000);
    const actions = page.locator('[data-testid="node-table"] tbody button');
    expect(await actions.count()).toBeGreaterThan(0);
    for (const b of await actions.all()) expect(await b.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Detach node 1' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Edit weight of node 1' }).count()).toBe(0);
    await goTo(page, 'Recovery');
    expect(await page.getByRole('button', { name: 'Start recovery', exact: true }).isDisabled()).toBe(true);
    await goTo(page, 'Configuration');
    expect(await page.getByRole('button', { name: 'Reload', exact: true }).isDisabled()).toBe(true);
    await page
      .getByTestId('config-list')
      .getByText('backend_clustering_mode', { exact: true })
      .waitFor({ timeout: 20_000 });
    await shot(page, 'config-1280-viewer', false); // the first screen: the whole list is ~300 lines

    // The scheme toggle: system -> light -> dark, kept across a reload (the system here is light).
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.getByRole('button', { name: /^Colour scheme: system/ }).click();
    await page.getByRole('button', { name: /^Colour scheme: light/ }).click();
    await page.getByRole('button', { name: /^Colour scheme: dark/ }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await bg()).not.toBe(light);
    await page.reload();
    await page.getByRole('button', { name: /^Colour scheme: dark/ }).waitFor({ timeout: 20_000 });
    expect(await bg()).not.toBe(light);
    await page.close();
  });
});
