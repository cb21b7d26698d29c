/**
 * Runs an expanded failover/failback/follow_primary command through `/bin/sh -c` (pgpool uses system()), in its own
 * process group so a hung script and its children can be killed together when failover_command_timeout expires.
 * stdout and stderr are captured (interleaved, last 64 KiB) for the `command_executed` event.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
  /** Set when the shell itself could not be started. */
  spawnError?: string;
}

const MAX_OUTPUT = 64 * 1024;
const KILL_GRACE_MS = 2000;

export function runShellCommand(
  command: string,
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
    };
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // group already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const timer =
      opts.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            killGroup('SIGTERM');
            killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
          }, opts.timeoutMs)
        : undefined;
    const finish = (r: Omit<CommandResult, 'command' | 'durationMs' | 'output' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      // Children of the script that kept the pipes open must not outlive a timed-out run.
      if (timedOut) killGroup('SIGKILL');
      resolve({ command, durationMs: Date.now() - started, output, timedOut, ...r });
    };
    child.on('error', (err) => finish({ exitCode: null, signal: null, spawnError: err.message }));
    // 'close' (exit + pipes drained) usually follows 'exit' within a millisecond; a backgrounded grandchild holding
    // the pipes would delay it, so 'exit' + 50 ms finishes anyway.
    child.on('close', (code, signal) => finish({ exitCode: code, signal: signal ?? null }));
    child.on('exit', (code, signal) => {
      setTimeout(() => finish({ exitCode: code, signal: signal ?? null }), 50);
    });
  });
}

/** The last `max` characters of a command's output, for event summaries. */
export function outputTail(output: string, max = 4096): string {
  return output.length > max ? output.slice(-max) : output;
}
