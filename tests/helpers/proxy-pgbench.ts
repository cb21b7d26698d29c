// Runs pgbench and parses what the proxy tests assert on: exit code, failed transactions, tps.
import { execFile } from 'node:child_process';

export interface PgbenchResult {
  code: number;
  tps: number;
  failed: number;
  stdout: string;
  stderr: string;
}

export function pgbench(args: string[], timeoutMs = 90_000): Promise<PgbenchResult> {
  return new Promise((resolve) => {
    execFile(
      'pgbench',
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } },
      (err, stdout, stderr) => {
        const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 'NaN');
        const failedMatch = /number of failed transactions: (\d+)/.exec(stdout);
        const failed = failedMatch ? Number(failedMatch[1]) : -1;
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, tps, failed, stdout, stderr });
      },
    );
  });
}
