'use client';
import { useState } from 'react';
import { trpc } from '../api';
import { errorText } from '../errors';
import { useEffectiveConfig } from '../hooks';
import { useSession } from '../shell/session';
import { Button } from '../ui/button';
import { Card } from '../ui/card';
import { ConfirmDialog, INPUT } from '../ui/confirm-dialog';
import { Notice } from '../ui/notice';

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** The configuration in effect (passwords masked by the engine), searchable, with pcp_reload_config. */
export function ConfigView() {
  const { canOperate } = useSession();
  const config = useEffectiveConfig();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<string[] | null>(null);
  const entries = Object.entries(config.data ?? {})
    .filter(([k, v]) => !q || k.includes(q.toLowerCase()) || show(v).toLowerCase().includes(q.toLowerCase()))
    .sort(([a], [b]) => a.localeCompare(b));

  return (
    <Card
      title="Effective configuration"
      actions={
        <Button
          variant="primary"
          disabled={!canOperate}
          title={canOperate ? undefined : 'viewers cannot reload the configuration'}
          onClick={() => setOpen(true)}
        >
          Reload
        </Button>
      }
    >
      <div className="flex flex-col gap-3 px-4 py-3">
        {result ? (
          <Notice kind="info">
            Reloaded. {result.length === 0 ? 'No warnings.' : `Warnings: ${result.join('; ')}`}
          </Notice>
        ) : null}
        {config.error ? <Notice kind="error">{errorText(config.error)}</Notice> : null}
        <label className="flex flex-col gap-1 text-sm font-medium">
          Search
          <input
            className={INPUT}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="e.g. health_check"
          />
        </label>
        <dl
          className="grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[minmax(12rem,auto)_1fr]"
          data-testid="config-list"
        >
          {entries.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="pt-1.5 font-mono text-xs font-semibold sm:font-normal">{k}</dt>
              <dd className="border-b border-slate-100 pb-1.5 font-mono text-xs break-all text-slate-700 sm:pt-1.5 dark:border-slate-800 dark:text-slate-300">
                {show(v) || <span className="text-slate-400">''</span>}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Reload the configuration files?"
        description="pgpool.conf, pcp.conf and pool_hba.conf are read again; parameters that need a restart keep their value. An invalid file is refused with its file:line."
        confirmLabel="Reload"
        describeError={(e) => `refused: ${errorText(e)}`}
        onConfirm={async (reason) => {
          const r = await trpc.config.reload.mutate({ reason: reason || undefined });
          setResult(r.warnings);
          await config.mutate();
        }}
      />
    </Card>
  );
}
