'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useSWRConfig } from 'swr';
import { formatDuration, formatTime, hostPort } from '@/lib/format';
import { trpc, type RecoveryRunView } from '../api';
import { errorText } from '../errors';
import { recoveryRunKey, useCluster, useRecoveryRun, useRecoveryRuns } from '../hooks';
import { useNow } from '../now';
import { useSession } from '../shell/session';
import { Badge, type Tone } from '../ui/badge';
import { Button } from '../ui/button';
import { Card } from '../ui/card';
import { ConfirmDialog, INPUT } from '../ui/confirm-dialog';
import { Notice } from '../ui/notice';
import { applyProgress } from './progress';
import { StageList } from './stage-list';

const RUN_OUTCOME: Record<RecoveryRunView['outcome'], { tone: Tone; icon: string }> = {
  running: { tone: 'blue', icon: '⟳' },
  ok: { tone: 'green', icon: '✓' },
  failed: { tone: 'red', icon: '✕' },
  cancelled: { tone: 'orange', icon: '⊘' },
};

export function RunOutcome({ run }: { run: RecoveryRunView }) {
  const o = RUN_OUTCOME[run.outcome];
  return (
    <Badge tone={o.tone} icon={o.icon}>
      {run.outcome}
    </Badge>
  );
}

/** Online recovery: start a run, follow its stages live (SSE), cancel it; past runs with their outcome. */
export function RecoveryView() {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const runs = useRecoveryRuns();
  const now = useNow();
  const selected = params.get('run') ?? runs.data?.find((r) => r.outcome === 'running')?.id ?? null;
  const select = (id: string) => router.replace(`${path}?run=${encodeURIComponent(id)}`, { scroll: false });

  return (
    <>
      <StartRecovery onStarted={select} />
      {selected ? <RunDetail runId={selected} now={now} /> : null}
      <Card title="Recovery runs">
        {runs.error ? <Notice kind="error">{errorText(runs.error)}</Notice> : null}
        {runs.data && runs.data.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">
            No recovery has run since pgwarden started.
          </p>
        ) : null}
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="recovery-runs">
          {(runs.data ?? []).map((r) => (
            <li key={r.id} data-run-id={r.id} data-outcome={r.outcome}>
              <button
                type="button"
                onClick={() => select(r.id)}
                aria-current={r.id === selected ? 'true' : undefined}
                className="flex w-full flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-left text-sm hover:bg-slate-50 aria-[current]:bg-sky-50 dark:hover:bg-slate-800/50 dark:aria-[current]:bg-sky-950/40"
              >
                <span className="font-mono font-semibold">node {r.nodeId}</span>
                <RunOutcome run={r} />
                <time
                  className="font-mono text-xs text-slate-500 dark:text-slate-400"
                  dateTime={r.startedAt.toISOString()}
                >
                  {formatTime(r.startedAt, now)}
                </time>
                <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
                  {formatDuration(r.startedAt, r.endedAt, now)}
                </span>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  by {r.actor.name} ({r.actor.interface})
                </span>
                {r.error ? (
                  <span className="basis-full text-xs text-red-700 dark:text-red-300">{r.error}</span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

function StartRecovery({ onStarted }: { onStarted: (runId: string) => void }) {
  const { canOperate } = useSession();
  const cluster = useCluster(true);
  const [open, setOpen] = useState(false);
  const nodes = (cluster.data?.nodes ?? []).filter((n) => n.id !== cluster.data?.primaryNodeId);
  const firstDown = nodes.find((n) => n.status === 'down');
  const [nodeId, setNodeId] = useState<number | null>(null);
  const chosen = nodeId ?? firstDown?.id ?? nodes[0]?.id ?? null;
  const node = nodes.find((n) => n.id === chosen);

  return (
    <Card title="Start an online recovery">
      <div className="flex flex-wrap items-end gap-3 px-4 py-3 text-sm">
        <label className="flex flex-col gap-1 font-medium">
          Node
          <select
            className={`${INPUT} w-auto`}
            value={chosen ?? ''}
            onChange={(e) => setNodeId(Number(e.target.value))}
            aria-label="Node to recover"
          >
            {nodes.map((n) => (
              <option key={n.id} value={n.id}>
                node {n.id} ({hostPort(n.hostname, n.port)}) — {n.status}
              </option>
            ))}
          </select>
        </label>
        <Button
          variant="primary"
          disabled={!canOperate || chosen === null}
          title={canOperate ? undefined : 'viewers cannot start a recovery'}
          onClick={() => setOpen(true)}
        >
          Start recovery
        </Button>
        <p className="basis-full text-xs text-slate-500 dark:text-slate-400">
          Rebuilds a detached node with recovery_1st_stage_command, starts it and attaches it. The engine
          refuses a node that is up or is the primary, and says why.
        </p>
      </div>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={
          node
            ? `Start online recovery of node ${node.id} (${hostPort(node.hostname, node.port)})?`
            : 'Start online recovery?'
        }
        description="Its data directory is rebuilt from the primary; its stages appear below as they run."
        confirmLabel="Start recovery"
        describeError={(e) => `refused: ${errorText(e)}`}
        onConfirm={async (reason) => {
          if (chosen === null) return;
          const { runId } = await trpc.recovery.start.mutate({ nodeId: chosen, reason: reason || undefined });
          onStarted(runId);
        }}
      />
    </Card>
  );
}

/** One run, kept live by recovery.onProgress over SSE: stage starts/ends and output lines patch the SWR cache. */
function RunDetail({ runId, now }: { runId: string; now: Date }) {
  const { canOperate } = useSession();
  const run = useRecoveryRun(runId);
  const { mutate } = useSWRConfig();
  const [cancelOpen, setCancelOpen] = useState(false);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const key = recoveryRunKey(runId);
    const sub = trpc.recovery.onProgress.subscribe(
      { runId },
      {
        // Fetch once the stream is open, so nothing falls between the snapshot and the events.
        onStarted: () => {
          setLive(true);
          void mutate(key);
        },
        onData: (e) => {
          void mutate(key, (cur: RecoveryRunView | undefined) => (cur ? applyProgress(cur, e.data) : cur), {
            revalidate: false,
          });
          if (e.data.kind === 'recovery_finished') void mutate('recovery.list');
        },
        onError: () => setLive(false),
      },
    );
    return () => {
      sub.unsubscribe();
      setLive(false);
    };
  }, [runId, mutate]);

  const r = run.data;
  return (
    <Card
      title={r ? `Recovery of node ${r.nodeId}` : 'Recovery'}
      actions={
        r?.outcome === 'running' ? (
          <Button
            variant="dangerOutline"
            disabled={!canOperate}
            title={canOperate ? undefined : 'viewers cannot cancel a recovery'}
            onClick={() => setCancelOpen(true)}
          >
            Cancel recovery
          </Button>
        ) : null
      }
    >
      <div
        className="flex flex-col gap-3 px-4 py-3"
        data-testid="recovery-run"
        data-run-id={runId}
        data-outcome={r?.outcome}
      >
        {run.error ? <Notice kind="error">{errorText(run.error)}</Notice> : null}
        {r ? (
          <>
            <div className="flex flex-wrap items-center gap-3 text-sm">
              <RunOutcome run={r} />
              <span className="tabular-nums">{formatDuration(r.startedAt, r.endedAt, now)}</span>
              <span className="text-slate-500 dark:text-slate-400">
                started {formatTime(r.startedAt, now)} by {r.actor.name} ({r.actor.interface})
              </span>
              <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="recovery-live">
                {r.outcome !== 'running' ? null : live ? '● live' : '○ connecting…'}
              </span>
            </div>
            {r.error ? <Notice kind="error">{r.error}</Notice> : null}
            <StageList stages={r.stages} now={now} />
          </>
        ) : !run.error ? (
          <p className="text-sm text-slate-500">Loading the run…</p>
        ) : null}
      </div>
      <ConfirmDialog
        open={cancelOpen}
        onClose={() => setCancelOpen(false)}
        title="Cancel this recovery?"
        description="It stops at the next cancellation point; the node stays down."
        confirmLabel="Cancel recovery"
        danger
        describeError={(e) => `refused: ${errorText(e)}`}
        onConfirm={async (reason) => {
          await trpc.recovery.cancel.mutate({ runId, reason: reason || undefined });
          await mutate(recoveryRunKey(runId));
        }}
      />
    </Card>
  );
}
