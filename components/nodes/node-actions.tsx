'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { trpc, type NodeView } from '../api';
import { errorText } from '../errors';
import { Button } from '../ui/button';
import { ConfirmDialog } from '../ui/confirm-dialog';

type Action = 'detach' | 'attach' | 'recover' | 'promote';

const VIEWER_HINT = 'viewers cannot act on nodes: sign in as an operator';

/**
 * The per-node operations of pcp_detach_node (-g), pcp_attach_node, pcp_recovery_node and pcp_promote_node (-s).
 * Each asks for confirmation and a reason; a refusal shows the engine's reason in the dialog. Viewers see the
 * buttons disabled, with the reason in their title.
 */
export function NodeActions({
  node,
  canOperate,
  onDone,
}: {
  node: NodeView;
  canOperate: boolean;
  onDone: () => void;
}) {
  const router = useRouter();
  const [open, setOpen] = useState<Action | null>(null);
  const [graceful, setGraceful] = useState(false);
  const [switchover, setSwitchover] = useState(true);
  const label = `node ${node.id} (${node.hostname}:${node.port})`;
  const down = node.status === 'down' || node.status === 'unused';
  const isPrimary = node.role === 'primary' || node.role === 'main';

  const buttons: { action: Action; text: string; variant?: 'dangerOutline' }[] = down
    ? [
        { action: 'attach', text: 'Attach' },
        { action: 'recover', text: 'Recover' },
      ]
    : [
        { action: 'detach', text: 'Detach', variant: 'dangerOutline' },
        ...(isPrimary ? [] : [{ action: 'promote' as const, text: 'Promote' }]),
      ];

  const confirm = async (reason: string) => {
    const base = { nodeId: node.id, reason: reason || undefined };
    if (open === 'detach') await trpc.nodes.detach.mutate({ ...base, graceful });
    else if (open === 'attach') await trpc.nodes.attach.mutate(base);
    else if (open === 'promote') await trpc.nodes.promote.mutate({ ...base, switchover });
    else if (open === 'recover') {
      const { runId } = await trpc.recovery.start.mutate(base);
      router.push(`/recovery?run=${encodeURIComponent(runId)}`);
    }
    onDone();
  };

  return (
    <div className="flex flex-wrap gap-1.5 lg:flex-nowrap">
      {buttons.map((b) => (
        <Button
          key={b.action}
          variant={b.variant}
          disabled={!canOperate}
          title={canOperate ? undefined : VIEWER_HINT}
          aria-label={`${b.text} node ${node.id}`}
          onClick={() => setOpen(b.action)}
        >
          {b.text}
        </Button>
      ))}
      <ConfirmDialog
        open={open !== null}
        onClose={() => setOpen(null)}
        describeError={(e) => `refused: ${errorText(e)}`}
        onConfirm={confirm}
        danger={open === 'detach' || open === 'promote'}
        title={
          open === 'detach'
            ? `Detach ${label}?`
            : open === 'attach'
              ? `Attach ${label}?`
              : open === 'recover'
                ? `Start online recovery of ${label}?`
                : `Promote ${label}?`
        }
        confirmLabel={
          open === 'detach'
            ? 'Detach'
            : open === 'attach'
              ? 'Attach'
              : open === 'recover'
                ? 'Start recovery'
                : switchover
                  ? 'Switch over'
                  : 'Promote'
        }
        description={
          open === 'detach'
            ? isPrimary
              ? 'This node is the primary: detaching it starts a failover.'
              : 'The node stops receiving queries; its sessions are closed.'
            : open === 'attach'
              ? 'The node is put back in service (failback) without rebuilding it.'
              : open === 'recover'
                ? 'Runs recovery_1st_stage_command (and the 2nd stage in native replication), starts the node and attaches it. Stages show live in the Recovery view.'
                : 'pgwarden promotes this standby; the other standbys follow the new primary.'
        }
      >
        {open === 'detach' ? (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={graceful} onChange={(e) => setGraceful(e.target.checked)} />
            Graceful: wait for client sessions to end first (pcp_detach_node -g)
          </label>
        ) : null}
        {open === 'promote' ? (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={switchover} onChange={(e) => setSwitchover(e.target.checked)} />
            Switchover: detach the current primary and let it follow (pcp_promote_node -s)
          </label>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
