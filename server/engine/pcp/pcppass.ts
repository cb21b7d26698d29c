/**
 * Password lookup of pgpool's PCP client tools (reference §1.3, libpcp `PasswordFromFile`): `PCPPASSFILE` or
 * `~/.pcppass`, lines `hostname:port:username:password`, `*` matches any value, `\` escapes `:` and `\`. The hostname
 * field is compared with the literal `-h` string, which counts as `localhost` when absent or `/tmp`. The file is
 * ignored unless it is a regular file without group/other permissions (0600), as libpcp does.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PcpPassQuery {
  /** The `-h` value as given (undefined = default Unix socket). */
  host: string | undefined;
  port: number;
  user: string;
}

/** Split one line into its four fields, honouring `\` escapes; null when it has fewer than four. */
export function parsePcpPassLine(line: string): [string, string, string, string] | null {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
    } else if (c === ':' && fields.length < 3) {
      fields.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  fields.push(cur);
  if (fields.length < 4) return null;
  return [fields[0]!, fields[1]!, fields[2]!, fields[3]!];
}

export function matchPcpPass(content: string, q: PcpPassQuery): string | null {
  const host = q.host === undefined || q.host === '' || q.host === '/tmp' ? 'localhost' : q.host;
  const port = String(q.port);
  for (const raw of content.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const f = parsePcpPassLine(line);
    if (!f) continue;
    const [h, p, u, password] = f;
    if ((h === '*' || h === host) && (p === '*' || p === port) && (u === '*' || u === q.user))
      return password;
  }
  return null;
}

export function pcpPassFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PCPPASSFILE && env.PCPPASSFILE !== ''
    ? env.PCPPASSFILE
    : join(env.HOME ?? homedir(), '.pcppass');
}

/** The password for this connection, or null (no file, unsafe permissions, or no matching line). */
export function lookupPcpPass(q: PcpPassQuery, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = pcpPassFilePath(env);
  try {
    const st = statSync(path);
    if (!st.isFile() || (st.mode & 0o077) !== 0) return null;
    return matchPcpPass(readFileSync(path, 'utf8'), q);
  } catch {
    return null;
  }
}
