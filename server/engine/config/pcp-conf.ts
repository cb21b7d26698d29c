/**
 * pcp.conf: `user:md5hex` per line, `#` comments (reference §1.3: the file stores md5(password) in hex, without
 * the `md5` prefix; `pg_md5 password` prints it). A malformed line is an error naming file:line.
 */
import { DiagnosticSink } from './diagnostics';
import type { PcpUser } from './types';

export function parsePcpConf(text: string, file: string): { users: PcpUser[]; sink: DiagnosticSink } {
  const sink = new DiagnosticSink();
  const users: PcpUser[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      sink.error(file, i + 1, undefined, "invalid entry: expected 'username:md5 hex of the password'");
      return;
    }
    const user = line.slice(0, colon);
    const md5 = line.slice(colon + 1).trim();
    if (!/^[0-9a-fA-F]{32}$/.test(md5)) {
      const hint = /^md5[0-9a-fA-F]{32}$/.test(md5)
        ? ' (drop the md5 prefix)'
        : ' (use the output of pg_md5 <password>)';
      sink.error(file, i + 1, user, `invalid password hash: expected 32 hex digits${hint}`);
      return;
    }
    if (users.some((u) => u.user === user))
      sink.warn(file, i + 1, user, 'duplicate user: the first entry is used');
    else users.push({ user, md5: md5.toLowerCase() });
  });
  return { users, sink };
}
