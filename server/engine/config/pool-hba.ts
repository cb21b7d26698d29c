/**
 * pool_hba.conf (reference §8.1): PostgreSQL pg_hba syntax as pgpool accepts it. Records are
 * `local DB USER METHOD [opts]` and `host|hostssl|hostnossl DB USER ADDRESS METHOD [opts]`, ADDRESS being CIDR,
 * `IP MASK`, a host name, `.suffix`, `all`, `samehost` or `samenet`; DB and USER are comma lists where double
 * quotes make a keyword literal. pgpool rejects `samegroup`/`+group`/`@file` and GSSAPI-family methods; so do we.
 * A bad line is an error `file:line: reason`, and the file's remaining lines are still checked.
 */
import { applyPrefix, formatIp, maskToPrefix, parseCidr, parseIp } from './cidr';
import { DiagnosticSink } from './diagnostics';
import type { HbaRule } from './types';

const METHODS = ['trust', 'reject', 'md5', 'scram-sha-256', 'password', 'cert', 'pam', 'ldap'] as const;
const UNSUPPORTED_METHODS = ['gss', 'sspi', 'ident', 'peer', 'radius', 'krb5', 'crypt'];
const TYPES = ['local', 'host', 'hostssl', 'hostnossl'] as const;

interface Word {
  text: string;
  /** Any part of the word was double-quoted (a quoted keyword is a literal name). */
  quoted: boolean;
}

/** Splits a line into words; quotes group spaces and commas, `#` outside quotes starts a comment. */
export function tokenizeHbaLine(line: string): Word[] | string {
  const words: Word[] = [];
  let cur = '';
  let quoted = false;
  let inQuote = false;
  let started = false;
  for (const c of line) {
    if (inQuote) {
      if (c === '"') inQuote = false;
      else cur += c;
      continue;
    }
    if (c === '#') break;
    if (c === '"') {
      inQuote = true;
      quoted = true;
      started = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      if (started) words.push({ text: cur, quoted });
      cur = '';
      quoted = false;
      started = false;
      continue;
    }
    cur += c;
    started = true;
  }
  if (inQuote) return 'unterminated quoted string';
  if (started) words.push({ text: cur, quoted });
  return words;
}

/** A DB or USER field: comma list; items keep their quoting so `"all"` is a database named all. */
function splitList(w: Word, what: string): string[] | string {
  const items = w.text.split(',');
  if (items.some((i) => i === '')) return `empty item in ${what} list '${w.text}'`;
  for (const i of items) {
    if (w.quoted) continue;
    if (i.startsWith('@')) return `${what} '${i}': @file inclusion is not supported by pgpool`;
    if (i.startsWith('+') || i === 'samegroup' || i === 'samerole')
      return `${what} '${i}': group membership is not supported by pgpool`;
  }
  return items;
}

function parseAddress(words: Word[]): { address: HbaRule['address']; used: number } | string {
  const w = words[0];
  if (!w) return 'missing address';
  if (!w.quoted && (w.text === 'all' || w.text === 'samehost' || w.text === 'samenet')) {
    return { address: { kind: w.text }, used: 1 };
  }
  if (w.text.includes('/')) {
    const c = parseCidr(w.text);
    if (!c) return `invalid IP address/prefix '${w.text}'`;
    const net = applyPrefix(c.ip, c.prefix);
    return {
      address: { kind: 'cidr', network: formatIp(net), prefix: c.prefix, family: c.ip.family },
      used: 1,
    };
  }
  const ip = parseIp(w.text);
  if (ip) {
    const maskWord = words[1];
    const mask = maskWord ? parseIp(maskWord.text) : null;
    if (!mask)
      return `IP address '${w.text}' needs a prefix length (/${ip.family === 4 ? 32 : 128}) or a netmask`;
    if (mask.family !== ip.family)
      return `netmask '${maskWord!.text}' is not of the same family as '${w.text}'`;
    const prefix = maskToPrefix(mask);
    if (prefix === null) return `invalid netmask '${maskWord!.text}'`;
    return {
      address: { kind: 'cidr', network: formatIp(applyPrefix(ip, prefix)), prefix, family: ip.family },
      used: 2,
    };
  }
  if (/^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(w.text)) {
    return { address: { kind: 'hostname', name: w.text.toLowerCase() }, used: 1 };
  }
  return `invalid address '${w.text}'`;
}

function parseRule(words: Word[], source: string): HbaRule | string {
  const [typeW, dbW, userW, ...rest] = words;
  const type = typeW!.text as HbaRule['type'];
  if (!(TYPES as readonly string[]).includes(type))
    return `invalid connection type '${typeW!.text}' (expected ${TYPES.join(', ')})`;
  if (!dbW) return 'missing database';
  if (!userW) return 'missing user';
  const databases = splitList(dbW, 'database');
  if (typeof databases === 'string') return databases;
  const users = splitList(userW, 'user');
  if (typeof users === 'string') return users;
  let address: HbaRule['address'] = null;
  let tail = rest;
  if (type !== 'local') {
    const a = parseAddress(rest);
    if (typeof a === 'string') return a;
    address = a.address;
    tail = rest.slice(a.used);
  }
  const [methodW, ...optWords] = tail;
  if (!methodW) return 'missing authentication method';
  const method = methodW.text as HbaRule['method'];
  if (UNSUPPORTED_METHODS.includes(methodW.text))
    return `authentication method '${methodW.text}' is not supported by pgpool`;
  if (!(METHODS as readonly string[]).includes(method))
    return `invalid authentication method '${methodW.text}' (expected ${METHODS.join(', ')})`;
  const options: Record<string, string> = {};
  for (const o of optWords) {
    const eq = o.text.indexOf('=');
    if (eq <= 0) return `invalid authentication option '${o.text}' (expected name=value)`;
    options[o.text.slice(0, eq)] = o.text.slice(eq + 1);
  }
  return { source, type, databases, users, address, method, options };
}

export function parsePoolHba(text: string, file: string): { rules: HbaRule[]; sink: DiagnosticSink } {
  const sink = new DiagnosticSink();
  const rules: HbaRule[] = [];
  text.split('\n').forEach((line, i) => {
    const words = tokenizeHbaLine(line);
    if (typeof words === 'string') return sink.error(file, i + 1, undefined, words);
    if (words.length === 0) return;
    const r = parseRule(words, `${file}:${i + 1}`);
    if (typeof r === 'string') sink.error(file, i + 1, undefined, r);
    else rules.push(r);
  });
  return { rules, sink };
}
