/**
 * Capturing what recovery scripts print. pgpool_recovery() runs the script with system() inside a backend, so its
 * stdout/stderr land in the PostgreSQL server log, out of reach of a remote pgwarden. pgwarden's convention (the
 * example scripts follow it): every recovery script appends all its output to `recovery.log` in the main node's
 * data directory ($1) and ends with a line `... exit status <N>` (a bash EXIT trap). pgwarden notes the file's size
 * before each call and reads the new part back afterwards: through SQL (pg_stat_file / pg_read_file, relative to the
 * data directory, on the same template1 connection) with the extension runner, from the file system with the direct
 * runner (which also pipes the script's own stdout/stderr). A script that does not follow the convention still
 * runs; only its output is missing (extension) and its exit code unknown (pgpool reports no code either).
 */
export const OUTPUT_FILE = 'recovery.log';

/** Read back at most this much of the log per call (the tail is what explains a failure). */
export const MAX_READBACK = 64 * 1024;

/** Lines kept in a run's error text. */
export const ERROR_TAIL_LINES = 15;

/** The exit code a script recorded with its EXIT trap (the last one in `text`), or null. */
export function exitStatusFrom(text: string): number | null {
  const all = [...text.matchAll(/exit status (\d+)\s*$/gm)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : null;
}

/** Splits output into complete lines, keeping the unfinished rest for the next chunk. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const l of parts) this.onLine(l.replace(/\r$/, ''));
  }

  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}

export function lastLines(text: string, n = ERROR_TAIL_LINES): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}

/** pgpool passes an empty hostname or a Unix socket directory to the scripts as `localhost` (reference §6.1). */
export function scriptHost(hostname: string): string {
  return hostname === '' || hostname.startsWith('/') ? 'localhost' : hostname;
}
