import type { NodeView } from '../api';

/** Why the node is in its state (and why it gets no reads): the question a DBA asks first. */
export function NodeReason({ node }: { node: NodeView }) {
  const lines: string[] = [];
  if (node.reason) lines.push(node.reason.message);
  if (!node.loadBalanceEligible && node.notLoadBalancedReason)
    lines.push(`no reads: ${node.notLoadBalancedReason}`);
  if (lines.length === 0) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  return (
    <span className="block max-w-md text-sm break-words" title={node.reason?.code}>
      {lines.map((l) => (
        <span key={l} className="block">
          {l}
        </span>
      ))}
    </span>
  );
}
