/**
 * IPv4/IPv6 address arithmetic for pool_hba.conf: CIDR and `IP MASK` forms, and containment. Node hands
 * dual-stack sockets' IPv4 peers over as `::ffff:a.b.c.d`, so those are unwrapped before matching IPv4 rules.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedIp {
  family: 4 | 6;
  bytes: number[];
}

function parseV6(text: string): number[] | null {
  let s = text.split('%')[0]!; // zone id (fe80::1%eth0) does not take part in matching
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h === '' ? [] : h.split(':').map((g) => Number.parseInt(g, 16)));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  const zeros = 8 - head.length - rest.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 0) return null;
  const groups = [...head, ...Array<number>(Math.max(zeros, 0)).fill(0), ...rest];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

export function parseIp(text: string): ParsedIp | null {
  if (isIPv4(text)) return { family: 4, bytes: text.split('.').map(Number) };
  if (isIPv6(text.split('%')[0]!)) {
    const bytes = parseV6(text);
    return bytes ? { family: 6, bytes } : null;
  }
  return null;
}

/** `::ffff:10.0.0.1` → IPv4 10.0.0.1; anything else unchanged. */
export function unmapV4(ip: ParsedIp): ParsedIp {
  const mapped =
    ip.family === 6 &&
    ip.bytes.slice(0, 10).every((b) => b === 0) &&
    ip.bytes[10] === 0xff &&
    ip.bytes[11] === 0xff;
  return mapped ? { family: 4, bytes: ip.bytes.slice(12) } : ip;
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  // RFC 5952: the longest run (>= 2) of zero groups becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** Zeroes the host bits: the canonical network address of a rule. */
export function applyPrefix(ip: ParsedIp, prefix: number): ParsedIp {
  const bytes = ip.bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
  return { family: ip.family, bytes };
}

/** A netmask (`255.255.255.0`) to its prefix length; null when the ones are not contiguous. */
export function maskToPrefix(mask: ParsedIp): number | null {
  const bits = mask.bytes.map((b) => b.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? bits.length : bits.indexOf('0')) : null;
}

export function parseCidr(text: string): { ip: ParsedIp; prefix: number } | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (len === undefined) return null;
  if (!/^\d+$/.test(len) || Number(len) > max) return null;
  return { ip, prefix: Number(len) };
}

export function cidrContains(network: ParsedIp, prefix: number, addr: ParsedIp): boolean {
  const a = unmapV4(addr);
  if (a.family !== network.family) return false;
  const masked = applyPrefix(a, prefix);
  const net = applyPrefix(network, prefix);
  return masked.bytes.every((b, i) => b === net.bytes[i]);
}
