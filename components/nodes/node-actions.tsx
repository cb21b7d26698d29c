'use client';
import { TRPCClientError } from '@trpc/client';
import { useState } from 'react';
import { trpc, type NodeView } from '../api';
import { Button } from '../ui/button';

/** Detach / attach for operators (pcp_detach_node / pcp_attach_node), with a reason kept in the audit trail. */
export function NodeActions({ node, onDone }: { node: NodeView; onDone: (error: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const run = async (what: 'detach' | 'attach') => {
    const reason = window.prompt(`Reason to ${what} node ${node.id} (${node.hostname}:${node.port})?`, '');
    if (reason === null) return;
    setBusy(true);
    try {
      const input = { nodeId: node.id, reason: reason || undefined };
      if (what === 'detach') await trpc.nodes.detach.mutate(input);
      else await trpc.nodes.attach.mutate(input);
      onDone(null);
    } catch (e) {
      onDone(e instanceof TRPCClientError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const down = node.status === 'down' || node.status === 'unused';
  return down ? (
    <Button disabled={busy} onClick={() => void run('attach')} aria-label={`Attach node ${node.id}`}>
      Attach
    </Button>
  ) : (
    <Button
      variant="dangerOutline"
      disabled={busy}
      onClick={() => void run('detach')}
      aria-label={`Detach node ${node.id}`}
    >
      Detach
    </Button>
  );
}
