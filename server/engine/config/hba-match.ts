/**
 * pool_hba.conf matching: the first rule whose connection type, database, user and address all match decides;
 * there is no fall-through to later rules, and no match means reject (reference §8.1). The proxy calls this.
 */
import { networkInterfaces } from 'node:os';
import { cidrContains, parseIp, unmapV4, type ParsedIp } from './cidr';
import type { HbaRule } from './types';

export interface HbaRequest {
  type: 'local' | 'host';
  ssl: boolean;
  database: string;
  user: string;
  /** Client IP for 'host' connections (`::ffff:a.b.c.d` is treated as IPv4). */
  address?: string;
  /** Client host names already verified by reverse + forward DNS; host-name rules only match these. */
  hostnames?: string[];
}

export interface LocalNetworks {
  /** Addresses of this host with their prefix lengths (samehost, samenet). */
  interfaces: { ip: ParsedIp; prefix: number }[];
}

export function localNetworks(): LocalNetworks {
  const interfaces: LocalNetworks['interfaces'] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) {
      const ip = parseIp(nic.address);
      const prefix = nic.cidr ? Number(nic.cidr.split('/')[1]) : ip?.family === 4 ? 32 : 128;
      if (ip) interfaces.push({ ip, prefix });
    }
  }
  return { interfaces };
}

function typeMatches(rule: HbaRule, req: HbaRequest): boolean {
  if (rule.type === 'local') return req.type === 'local';
  if (req.type !== 'host') return false;
  if (rule.type === 'hostssl') return req.ssl;
  if (rule.type === 'hostnossl') return !req.ssl;
  return true;
}

function addressMatches(rule: HbaRule, req: HbaRequest, nets: () => LocalNetworks): boolean {
  const a = rule.address;
  if (rule.type === 'local' || a === null) return true;
  if (a.kind === 'all') return true;
  if (a.kind === 'hostname') {
    const names = (req.hostnames ?? []).map((n) => n.toLowerCase());
    return a.name.startsWith('.') ? names.some((n) => n.endsWith(a.name)) : names.includes(a.name);
  }
  const raw = req.address ? parseIp(req.address) : null;
  if (!raw) return false;
  const client = unmapV4(raw);
  if (a.kind === 'cidr') {
    const net = parseIp(a.network);
    return net !== null && cidrContains(net, a.prefix, client);
  }
  const full = (ip: ParsedIp) => (ip.family === 4 ? 32 : 128);
  return nets().interfaces.some((nic) =>
    cidrContains(nic.ip, a.kind === 'samehost' ? full(nic.ip) : nic.prefix, client),
  );
}

const listMatches = (list: string[], value: string, sameAs?: string): boolean =>
  list.some((item) => item === 'all' || item === value || (item === 'sameuser' && sameAs === value));

/** First matching rule, or null (= reject). `nets` is injectable for tests of samehost/samenet. */
export function matchHba(
  rules: HbaRule[],
  req: HbaRequest,
  nets: () => LocalNetworks = localNetworks,
): HbaRule | null {
  for (const rule of rules) {
    if (!typeMatches(rule, req)) continue;
    if (!listMatches(rule.databases, req.database, req.user)) continue;
    if (!listMatches(rule.users, req.user)) continue;
    if (!addressMatches(rule, req, nets)) continue;
    return rule;
  }
  return null;
}
