/**
 * Named background tasks with an owner and a stop signal (ARCHITECTURE.md rule 7). Every loop in the engine (health
 * checks, sr_check, reapers) is started through a TaskGroup so shutdown can cancel all of them and report the ones
 * that did not stop in time.
 */
export interface TaskContext {
  signal: AbortSignal;
  /** Sleeps `ms`, resolving early (with false) when the task is being stopped. */
  sleep(ms: number): Promise<boolean>;
}

interface RunningTask {
  name: string;
  controller: AbortController;
  done: Promise<void>;
}

export class TaskGroup {
  private readonly tasks = new Map<string, RunningTask>();

  constructor(private readonly onError: (name: string, err: unknown) => void = () => undefined) {}

  start(name: string, body: (ctx: TaskContext) => Promise<void>): void {
    if (this.tasks.has(name)) throw new Error(`task ${name} is already running`);
    const controller = new AbortController();
    const ctx: TaskContext = {
      signal: controller.signal,
      sleep: (ms) => abortableSleep(ms, controller.signal),
    };
    const done = body(ctx)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) this.onError(name, err);
      })
      .finally(() => {
        if (this.tasks.get(name)?.controller === controller) this.tasks.delete(name);
      });
    this.tasks.set(name, { name, controller, done });
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }

  async stop(name: string, timeoutMs = 5000): Promise<boolean> {
    const t = this.tasks.get(name);
    if (!t) return true;
    t.controller.abort();
    return withTimeout(t.done, timeoutMs);
  }

  /** Stops every task; resolves with the names of those that did not stop within the timeout. */
  async stopAll(timeoutMs = 5000): Promise<string[]> {
    const all = [...this.tasks.values()];
    for (const t of all) t.controller.abort();
    const results = await Promise.all(
      all.map(async (t) => ({ name: t.name, ok: await withTimeout(t.done, timeoutMs) })),
    );
    return results.filter((r) => !r.ok).map((r) => r.name);
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const r = await Promise.race([p.then(() => true), timeout]);
  clearTimeout(timer);
  return r;
}
