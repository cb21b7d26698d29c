'use client';
import { useState, type FormEvent } from 'react';
import { formatShare } from '@/lib/format';
import { trpc, type NodeView } from '../api';
import { errorText } from '../errors';
import { Button } from '../ui/button';

/** backend_weight, editable at run time by operators (not written back to pgpool.conf). */
export function WeightEditor({
  node,
  canOperate,
  onDone,
}: {
  node: NodeView;
  canOperate: boolean;
  onDone: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const weight = Number(new FormData(e.currentTarget).get('weight'));
    setBusy(true);
    setError(null);
    try {
      await trpc.nodes.setWeight.mutate({
        nodeId: node.id,
        weight,
        reason: `weight ${node.weight} -> ${weight} from the dashboard`,
      });
      setEditing(false);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    return (
      <span
        className="inline-flex items-center gap-1.5 whitespace-nowrap tabular-nums"
        data-testid={`weight-${node.id}`}
      >
        <span>
          {node.weight}{' '}
          <span className="text-slate-500 dark:text-slate-400">({formatShare(node.normalizedWeight)})</span>
        </span>
        {canOperate ? (
          <button
            type="button"
            className="rounded px-1 text-xs text-sky-700 underline-offset-2 hover:underline dark:text-sky-300"
            aria-label={`Edit weight of node ${node.id}`}
            onClick={() => setEditing(true)}
          >
            edit
          </button>
        ) : null}
      </span>
    );
  }
  return (
    <form onSubmit={(e) => void save(e)} className="inline-flex flex-col items-end gap-1">
      <span className="inline-flex items-center gap-1">
        <input
          name="weight"
          type="number"
          min={0}
          step="any"
          required
          defaultValue={node.weight}
          aria-label={`New weight of node ${node.id}`}
          className="w-20 rounded-md border-0 bg-white px-2 py-1 text-right text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-sky-600 dark:bg-slate-900 dark:ring-slate-700"
          autoFocus
        />
        <Button type="submit" variant="primary" disabled={busy} aria-label={`Save weight of node ${node.id}`}>
          Save
        </Button>
        <Button onClick={() => setEditing(false)} disabled={busy}>
          Cancel
        </Button>
      </span>
      {error ? (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </span>
      ) : null}
    </form>
  );
}
