/**
 * Pool key: which cached backend connections a new client may reuse.
 *
 * pgpool keys its sets by (user, database, protocol major) and re-sends application_name (reference §10). pgwarden
 * keys by user, database and every other startup parameter the client sent (application_name, client_encoding,
 * DateStyle, options, ...), because those parameters become the backend session's defaults and survive DISCARD ALL /
 * RESET ALL: reusing a connection started with other values would silently change the client's session. The cost
 * is fewer hits when clients vary application_name; the benefit is that a reused session is indistinguishable from
 * a fresh one.
 */
export function poolKey(user: string, database: string, params: Map<string, string>): string {
  const rest = [...params]
    .filter(([k]) => k !== 'user' && k !== 'database' && k !== 'replication')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return [user, database, ...rest].join('\0');
}
