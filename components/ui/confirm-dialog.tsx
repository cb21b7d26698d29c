'use client';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Button } from './button';
import { Notice } from './notice';

export const INPUT =
  'block w-full rounded-md border-0 bg-white px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-sky-600 dark:bg-slate-900 dark:ring-slate-700';

/**
 * A modal that confirms an action and asks why (the reason goes to the audit trail). When the server refuses, the
 * dialog stays open and shows the engine's reason. `onConfirm` throws to refuse; returning closes the dialog.
 */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  danger,
  children,
  onConfirm,
  onClose,
  describeError,
}: {
  open: boolean;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  children?: ReactNode;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
  describeError: (err: unknown) => string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const reason = new FormData(e.currentTarget).get('reason');
    setBusy(true);
    setError(null);
    try {
      await onConfirm(typeof reason === 'string' ? reason.trim() : '');
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={`${reasonId}-title`}
      className="m-auto w-[min(32rem,calc(100vw-1.5rem))] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open ? (
        <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3 p-4">
          <h2 id={`${reasonId}-title`} className="text-base font-semibold">
            {title}
          </h2>
          {description ? (
            <div className="text-sm text-slate-600 dark:text-slate-300">{description}</div>
          ) : null}
          {children}
          <label htmlFor={reasonId} className="text-sm font-medium">
            Reason (kept in the audit trail)
          </label>
          <textarea
            id={reasonId}
            name="reason"
            required
            rows={2}
            maxLength={500}
            className={INPUT}
            autoFocus
          />
          {error ? <Notice kind="error">{error}</Notice> : null}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant={danger ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </Button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
