/**
 * WAL positions as pgpool-II 4.3 turns them into numbers (reference §5): LSN `X/Y` (hex) becomes
 * `X * (0xffffffff - 16 MiB) + Y`. The factor is a pgpool quirk (a WAL "log id" is 4 GiB, not 4 GiB - 16 MiB); it is
 * kept so replication_delay prints the same numbers as pgpool. BigInt avoids precision loss on large positions.
 */
const FACTOR = 0xffffffffn - 16n * 1024n * 1024n;

export function lsnToBytes(lsn: string): bigint | null {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(lsn.trim());
  if (!m) return null;
  return BigInt('0x' + m[1]) * FACTOR + BigInt('0x' + m[2]);
}

/** pgpool's standby_delay: max(0, primary - standby) in (quirk) bytes. */
export function standbyDelayBytes(primaryLsn: string, standbyLsn: string): number | null {
  const p = lsnToBytes(primaryLsn);
  const s = lsnToBytes(standbyLsn);
  if (p === null || s === null) return null;
  return p > s ? Number(p - s) : 0;
}
