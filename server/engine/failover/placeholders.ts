/**
 * Placeholder expansion for failover_command, failback_command and follow_primary_command, byte-compatible with
 * pgpool-II 4.3 `trigger_failover_command` (reference §3.5): scan left to right, `%x` consumes two characters, an
 * unknown `%x` is removed, a trailing lone `%` is dropped, no shell quoting, and a missing node prints `""` (two
 * double-quote characters) so positional shell arguments keep their place.
 */

export interface PlaceholderNode {
  id: number;
  hostname: string;
  port: number;
  dataDirectory: string;
}

export interface PlaceholderValues {
  /** %d %h %p %D: the failed / attached / follow-target node. */
  node: PlaceholderNode;
  /** %m: new main node id (-1 if none); for follow_primary the new primary. */
  newMainId: number;
  /** %H %r %R: the node behind %m, null when there is none. */
  newMain: PlaceholderNode | null;
  /** %M: old main node id (follow_primary: the old primary id, as pgpool passes it). */
  oldMainId: number;
  /** %P: old primary node id (-1 if none). */
  oldPrimaryId: number;
  /** %N %S: the node behind %P, null when there is none. */
  oldPrimary: PlaceholderNode | null;
}

const MISSING = '""';

export function expandPlaceholders(template: string, v: PlaceholderValues): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const k = template[i + 1];
    i++;
    if (k === undefined) break; // trailing lone '%' dropped
    out += placeholder(k, v);
  }
  return out;
}

function placeholder(k: string, v: PlaceholderValues): string {
  switch (k) {
    case 'd':
      return String(v.node.id);
    case 'h':
      return v.node.hostname;
    case 'p':
      return String(v.node.port);
    case 'D':
      return v.node.dataDirectory;
    case 'm':
      return String(v.newMainId);
    case 'H':
      return v.newMain ? v.newMain.hostname : MISSING;
    case 'r':
      return v.newMain ? String(v.newMain.port) : MISSING;
    case 'R':
      return v.newMain ? v.newMain.dataDirectory : MISSING;
    case 'M':
      return String(v.oldMainId);
    case 'P':
      return String(v.oldPrimaryId);
    case 'N':
      return v.oldPrimary ? v.oldPrimary.hostname : MISSING;
    case 'S':
      return v.oldPrimary ? String(v.oldPrimary.port) : MISSING;
    case '%':
      return '%';
    default:
      return ''; // unknown %x is removed
  }
}
