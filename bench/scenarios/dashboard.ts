// Issue #7: the dashboard must not slow the proxy. pgbench -S, 32 clients, on the main cluster, through:
// - pgwarden-sr started with --no-dashboard (the matrix's target),
// - a second pgwarden-sr with its Next.js dashboard running (same pgpool.conf plus dashboard_port/data_directory), kept
//   busy during each run by an HTTP poller and/or a real chromium page (dashboard-clients.ts).
// Reported ratio: dashboard + HTTP poller vs no dashboard (the proxy's own cost of serving the dashboard). The chromium
// ratio is printed too, but on 2 shared cores it mostly measures chromium's CPU taking turns from pgbench and
// PostgreSQL: its CPU is recorded in the notes.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { HEADLINE } from '../matrix';
import { startMemSampler } from '../proc';
import { startPgwarden } from '../targets/pgwarden';
import type { Target } from '../targets/target';
import { ChromiumPage, CHROMIUM_BIN, HttpPoller, waitForDashboard } from './dashboard-clients';
import { emptyRow, ratio, type ScenarioResult, type ScenarioRow } from './model';
import { runInterleaved, tryStart, type Contender, type ScenarioEnv } from './runner';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** bench/targets/pgpool-conf.ts writes pcp.conf with postgres:md5('postgres'); pcp.conf users may sign in. */
const CREDS = { name: 'postgres', password: 'postgres' };

export type DashboardClient = 'http' | 'chromium' | 'both';

export async function dashboardScenario(env: ScenarioEnv, client: DashboardClient): Promise<ScenarioResult> {
  const t0 = Date.now();
  const notes: string[] = [];
  const contenders: (Contender | ScenarioRow)[] = [];
  const base = await tryStart(env, 'pgwarden-sr', () => env.target('pgwarden-sr'));
  contenders.push(
    'rounds' in base
      ? { ...base, id: 'no-dashboard' }
      : { id: 'no-dashboard', label: `${base.label}, --no-dashboard`, target: base },
  );

  const wantHttp = client !== 'chromium';
  const wantChromium = client !== 'http';
  let dash: Target | ScenarioRow;
  let home = '';
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
    dash = emptyRow(
      'dashboard',
      'dashboard',
      'not available: no Next build (.next/BUILD_ID): run `npm run build`',
    );
  } else {
    const port = await env.ctx.port();
    home = `http://127.0.0.1:${port}`;
    dash = await tryStart(env, 'pgwarden-sr-dashboard', async () => {
      const t = await startPgwarden(env.ctx, 'streaming_replication', env.launch, { port });
      env.adopt(t);
      await waitForDashboard(home, 120_000, () => t.failure() === null);
      await new HttpPoller(home, CREDS).warmUp();
      return t;
    });
  }

  let chromium: ChromiumPage | null = null;
  let chromiumCpu = 0;
  let chromiumRuns = 0;
  if ('rounds' in dash) {
    if (wantHttp) contenders.push({ ...dash, id: 'dashboard+http', label: 'dashboard + HTTP poller' });
    if (wantChromium)
      contenders.push({ ...emptyRow('dashboard+chromium', 'dashboard + chromium page'), note: dash.note });
  } else {
    const target = dash;
    if (wantHttp) {
      const poller = new HttpPoller(home, CREDS);
      contenders.push({
        id: 'dashboard+http',
        label: `${target.label}; HTTP poller: cluster.snapshot every 1 s, events.list every 5 s, events.onEvent SSE`,
        target,
        before: async () => {
          await poller.login();
          poller.start();
        },
        after: async () => poller.stop(),
      });
    }
    if (wantChromium) {
      if (!existsSync(CHROMIUM_BIN)) {
        contenders.push(
          emptyRow('dashboard+chromium', 'dashboard + chromium page', `not available: no ${CHROMIUM_BIN}`),
        );
      } else {
        const page = new ChromiumPage(home, CREDS);
        chromium = page;
        let sampler: ReturnType<typeof startMemSampler> | null = null;
        contenders.push({
          id: 'dashboard+chromium',
          label: `${target.label}; headless chromium (${CHROMIUM_BIN}) with the dashboard page open, signed in`,
          target,
          before: async () => {
            await page.open();
            const pid = page.pid();
            sampler = pid ? startMemSampler(() => [pid], []) : null;
          },
          after: async () => {
            const s = sampler?.stop() ?? null;
            if (s) {
              chromiumCpu += s.cpuSeconds;
              chromiumRuns++;
            }
            return page.close();
          },
        });
      }
    }
  }

  try {
    const rows = await runInterleaved(env, HEADLINE.select32, contenders, () => env.resetMain());
    if (chromiumRuns) {
      const perRun = chromiumCpu / chromiumRuns;
      notes.push(
        `chromium's own process tree used ${perRun.toFixed(1)} CPU s per ${env.seconds} s run ` +
          `(${((perRun / env.seconds) * 100).toFixed(0)}% of one core), on the cores pgbench, PostgreSQL and pgwarden share`,
      );
    }
    notes.push(
      'reported ratio: HTTP poller (the proxy-side cost of the dashboard); the chromium ratio also pays for the browser',
    );
    return {
      id: 'dashboard',
      title: 'dashboard open and polling vs no dashboard (issue #7)',
      workload: '-S simple, 32 clients',
      seconds: env.seconds,
      rounds: env.rounds,
      rows,
      ratios: [
        ratio(
          rows,
          'dashboard (HTTP poller) vs none',
          'dashboard+http',
          'no-dashboard',
          0.95,
          '>= 0.95: within 5%',
        ),
        ratio(
          rows,
          'dashboard (chromium page) vs none',
          'dashboard+chromium',
          'no-dashboard',
          null,
          'informational',
        ),
      ],
      notes,
      wallSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await chromium?.shutdown();
  }
}
