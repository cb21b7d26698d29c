/** Formatters shared by the dashboard tables (pure, isomorphic). */

export function hostPort(hostname: string, port: number): string {
  return `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? '-' : ''}${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

/** 0.333 -> "33.3%" as SHOW pool_nodes' lb_weight, readable. */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US').format(n);
}

/** "3 s ago", "5 min ago", "2 h ago", "4 d ago" (the dashboard refreshes every second). */
export function formatAgo(then: Date, now: Date = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** Local time with seconds, e.g. "14:03:27", and the date when not today. */
export function formatTime(t: Date, now: Date = new Date()): string {
  const time = t.toLocaleTimeString('en-GB', { hour12: false });
  return t.toDateString() === now.toDateString() ? time : `${t.toISOString().slice(0, 10)} ${time}`;
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(s < 10 ? 1 : 0)} s`;
}

/** Milliseconds between two instants as "850 ms", "12.4 s", "3 min 5 s" (running: up to now). */
export function formatDuration(from: Date | null, to: Date | null, now: Date = new Date()): string {
  if (!from) return '—';
  const ms = Math.max(0, (to ?? now).getTime() - from.getTime());
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
