import type { NodeView } from '../api';
import { Badge, type Tone } from '../ui/badge';

const STATUS: Record<NodeView['status'], { tone: Tone; icon: string; label: string }> = {
  up: { tone: 'green', icon: '●', label: 'up' },
  // pgpool's CON_CONNECT_WAIT: healthy, but no client session has used it yet. Not a warning.
  waiting: { tone: 'gray', icon: '◐', label: 'waiting' },
  down: { tone: 'red', icon: '✕', label: 'down' },
  unused: { tone: 'gray', icon: '○', label: 'unused' },
};

const STATUS_HELP: Record<NodeView['status'], string> = {
  up: 'up: in service',
  waiting: 'waiting: in service, not yet used by a client session',
  down: 'down: detached, receives no queries',
  unused: 'unused: configured but not in use',
};

/** pgpool's node status (up / waiting / down / unused) with a distinct symbol and colour for each. */
export function NodeStatusBadge({ node }: { node: NodeView }) {
  const s = STATUS[node.status];
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={s.tone} icon={s.icon} title={STATUS_HELP[node.status]}>
        {s.label}
      </Badge>
      {node.quarantined ? (
        <Badge tone="orange" icon="⚠" title="quarantined: not used, not failed over">
          quarantined
        </Badge>
      ) : null}
    </span>
  );
}

/** SHOW pool_nodes role: the primary stands out (symbol + colour + bold text). */
export function NodeRoleBadge({ node }: { node: NodeView }) {
  if (node.role === 'primary' || node.role === 'main') {
    return (
      <Badge tone="blue" icon="★" title={`role: ${node.role}`}>
        <span className="font-semibold">{node.role}</span>
      </Badge>
    );
  }
  return (
    <Badge tone="gray" title={`role: ${node.role}`}>
      {node.role}
    </Badge>
  );
}

/** What the node itself says (pg_is_in_recovery); flagged when it disagrees with the role pgwarden gives it. */
export function PgRoleText({ node }: { node: NodeView }) {
  const disagrees =
    node.pgRole !== 'unknown' &&
    node.status === 'up' &&
    (node.role === 'primary') !== (node.pgRole === 'primary');
  return (
    <span className={disagrees ? 'font-medium text-red-700 dark:text-red-300' : ''}>
      {node.pgRole}
      {disagrees ? ' (mismatch)' : ''}
    </span>
  );
}
