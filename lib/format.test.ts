import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatDuration, formatShare, hostPort } from './format';

describe('format', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
  it('formats weight shares', () => {
    expect(formatShare(1 / 3)).toBe('33%');
    expect(formatShare(0.05)).toBe('5.0%');
    expect(formatShare(0)).toBe('0%');
  });
  it('brackets IPv6 hosts', () => {
    expect(hostPort('::1', 5432)).toBe('[::1]:5432');
    expect(hostPort('db1', 5432)).toBe('db1:5432');
  });
  it('says how long ago', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(formatAgo(new Date('2026-01-01T11:59:55Z'), now)).toBe('5 s ago');
    expect(formatAgo(new Date('2026-01-01T10:00:00Z'), now)).toBe('2 h ago');
  });
  it('formats durations, running ones up to now', () => {
    const t0 = new Date('2026-11-22T04:00:00Z');
    expect(formatDuration(t0, new Date(t0.getTime() + 850))).toBe('850 ms');
    expect(formatDuration(t0, new Date(t0.getTime() + 12_400))).toBe('12 s');
    expect(formatDuration(t0, new Date(t0.getTime() + 4_400))).toBe('4.4 s');
    expect(formatDuration(t0, null, new Date(t0.getTime() + 185_000))).toBe('3 min 5 s');
    expect(formatDuration(null, null)).toBe('—');
  });
});
