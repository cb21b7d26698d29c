// The two ways the dashboard scenario keeps the dashboard busy during a pgbench run, as a browser would:
// - HttpPoller: signs in through tRPC (auth.login) and polls the procedures the dashboard's home page polls, at its SWR
//   intervals (components/hooks.ts: cluster.snapshot every 1 s, events.list {limit: 15} every 5 s), with the
//   events.onEvent SSE subscription open. Costs the machine almost nothing itself.
// - ChromiumPage: Debian's chromium (playwright-core) with the real page open and signed in; costs a browser's CPU on
//   the same cores as pgbench, PostgreSQL and the proxy.

import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

import { CSRF_HEADER } from '../../lib/auth';

export const CHROMIUM_BIN = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
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

export interface Credentials {
  name: string;
  password: string;
}

/** Until GET /api/trpc/auth.me answers 200 (Next has started), or throws after timeoutMs. */
export async function waitForDashboard(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error('pgwarden exited while the dashboard was starting');
    try {
      const r = await fetch(`${url}/api/trpc/auth.me`, { signal: AbortSignal.timeout(5000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`dashboard not answering at ${url} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export class HttpPoller {
  ok = 0;
  failed = 0;
  sseEvents = 0;
  private cookie = '';
  private timers: NodeJS.Timeout[] = [];
  private sse: AbortController | null = null;
  private lastError = '';

  constructor(
    private readonly url: string,
    private readonly creds: Credentials,
  ) {}

  async login(): Promise<void> {
    const r = await fetch(`${this.url}/api/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify({ json: this.creds }),
    });
    if (!r.ok) throw new Error(`dashboard login failed: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
    this.cookie = r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (!this.cookie) throw new Error('dashboard login set no cookie');
  }

  private async get(procedure: string, input?: unknown): Promise<void> {
    const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    try {
      const r = await fetch(`${this.url}/api/trpc/${procedure}${q}`, {
        headers: { cookie: this.cookie },
        signal: AbortSignal.timeout(10_000),
      });
      await r.arrayBuffer();
      if (r.ok) this.ok++;
      else {
        this.failed++;
        this.lastError = `${procedure}: HTTP ${r.status}`;
      }
    } catch (e) {
      this.failed++;
      this.lastError = `${procedure}: ${String(e)}`;
    }
  }

  private async subscribe(signal: AbortSignal): Promise<void> {
    try {
      const r = await fetch(`${this.url}/api/trpc/events.onEvent`, {
        headers: { cookie: this.cookie, accept: 'text/event-stream' },
        signal,
      });
      if (!r.ok || !r.body) {
        this.lastError = `events.onEvent: HTTP ${r.status}`;
        return;
      }
      const decoder = new TextDecoder();
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.sseEvents += (decoder.decode(value).match(/^data:/gm) ?? []).length;
      }
    } catch {
      // aborted by stop()
    }
  }

  /**
   * Loads the page and every polled procedure once, so that Next's first-request work (loading route modules) is
   * not charged to whichever contender runs first.
   */
  async warmUp(): Promise<void> {
    await this.login();
    await (await fetch(this.url, { headers: { cookie: this.cookie } })).arrayBuffer();
    await this.get('cluster.snapshot');
    await this.get('events.list', { limit: 15 });
    this.ok = 0;
    this.failed = 0;
  }

  /** Starts polling like the open page (first requests at once, as SWR does on mount). */
  start(): void {
    this.sse = new AbortController();
    void this.subscribe(this.sse.signal);
    const every = (ms: number, fn: () => Promise<void>): void => {
      void fn();
      this.timers.push(setInterval(() => void fn(), ms));
    };
    every(1000, () => this.get('cluster.snapshot'));
    every(5000, () => this.get('events.list', { limit: 15 }));
  }

  /** Stops; returns the counts of this run and resets them. */
  stop(): string {
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.sse?.abort();
    const s = `HTTP poller: ${this.ok} tRPC polls ok, ${this.failed} failed${this.failed ? ` (${this.lastError})` : ''}`;
    this.ok = 0;
    this.failed = 0;
    return s;
  }
}

export class ChromiumPage {
  private server: BrowserServer | null = null;
  private browser: Browser | null = null;
  private page: Page | null = null;

  constructor(
    private readonly url: string,
    private readonly creds: Credentials,
  ) {}

  /** Pid of the browser's main process (its tree is sampled for CPU), once launched. */
  pid(): number | null {
    return this.server?.process().pid ?? null;
  }

  /** Opens the dashboard, signs in and waits until the node table shows rows. */
  async open(): Promise<void> {
    if (!this.server) {
      this.server = await chromium.launchServer({
        executablePath: CHROMIUM_BIN,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      this.browser = await chromium.connect(this.server.wsEndpoint());
    }
    const context = await this.browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    this.page = page;
    await page.goto(this.url, { timeout: 60_000 });
    await page.getByLabel('User name').fill(this.creds.name);
    await page.getByLabel('Password').fill(this.creds.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid="node-table"] tbody tr').first().waitFor({ timeout: 60_000 });
  }

  /** Closes the page (and its context); returns what it showed. */
  async close(): Promise<string> {
    const page = this.page;
    this.page = null;
    if (!page) return 'chromium: no page';
    const rows = await page
      .locator('[data-testid="node-table"] tbody tr')
      .count()
      .catch(() => -1);
    await page.context().close();
    return `chromium page open during the run, node table showed ${rows} node(s)`;
  }

  async shutdown(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.server?.close().catch(() => undefined);
    this.browser = null;
    this.server = null;
  }
}
