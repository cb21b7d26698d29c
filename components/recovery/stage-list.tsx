import { formatDuration } from '@/lib/format';
import type { RecoveryStageView } from '../api';
import { Badge, type Tone } from '../ui/badge';

export const STAGE_OUTCOME: Record<RecoveryStageView['outcome'], { tone: Tone; icon: string }> = {
  pending: { tone: 'gray', icon: '○' },
  running: { tone: 'blue', icon: '⟳' },
  ok: { tone: 'green', icon: '✓' },
  failed: { tone: 'red', icon: '✕' },
  skipped: { tone: 'gray', icon: '–' },
  cancelled: { tone: 'orange', icon: '⊘' },
};

/** pgpool's recovery stages in order, each with its outcome in words, time, command, exit code and output. */
export function StageList({ stages, now }: { stages: RecoveryStageView[]; now: Date }) {
  return (
    <ol className="flex flex-col gap-2" data-testid="recovery-stages">
      {stages.map((s, i) => {
        const o = STAGE_OUTCOME[s.outcome];
        return (
          <li
            key={`${i}-${s.name}`}
            data-stage={s.name}
            data-outcome={s.outcome}
            className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800"
          >
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{i + 1}.</span>
              <span className="font-mono font-semibold">{s.name}</span>
              <Badge tone={o.tone} icon={o.icon}>
                {s.outcome}
              </Badge>
              {s.startedAt ? (
                <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
                  {formatDuration(s.startedAt, s.endedAt, now)}
                </span>
              ) : null}
              {s.exitCode !== undefined && s.exitCode !== null ? (
                <span className="text-xs text-slate-500 dark:text-slate-400">exit {s.exitCode}</span>
              ) : null}
            </div>
            {s.command ? (
              <code className="mt-1 block text-xs break-all text-slate-600 dark:text-slate-300">
                {s.command}
              </code>
            ) : null}
            {s.output ? (
              <pre
                className="mt-1 max-h-60 overflow-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap break-words dark:bg-slate-950"
                data-testid="stage-output"
              >
                {s.output}
              </pre>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
