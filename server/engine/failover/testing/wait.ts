/**
 * Small helpers for failover/engine tests: polling with a deadline, and a logger that keeps lines for assertions
 * (echoed to stderr when PGWARDEN_TEST_LOG=1).
 */
import { createLogger, type Logger } from '../../runtime/logger';

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const echo = process.env.PGWARDEN_TEST_LOG === '1';
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      lines.push(line);
      if (echo) process.stderr.write(line + '\n');
    },
  });
  return { logger, lines };
}
