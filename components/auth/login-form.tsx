'use client';
import { TRPCClientError } from '@trpc/client';
import { useState, type FormEvent } from 'react';
import { trpc } from '../api';
import { Button } from '../ui/button';
import { Notice } from '../ui/notice';

const INPUT =
  'mt-1 block w-full rounded-md border-0 bg-white px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-sky-600 dark:bg-slate-900 dark:ring-slate-700';

/** Sign in with a pcp.conf user (operator) or a dashboard user. */
export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await trpc.auth.login.mutate({
        name: field(form, 'name'),
        password: field(form, 'password'),
      });
      onSignedIn();
    } catch (err) {
      setError(err instanceof TRPCClientError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => void submit(e)}
      className="mx-auto mt-16 w-full max-w-sm space-y-4 rounded-lg border border-slate-200 p-6 shadow-sm dark:border-slate-800"
    >
      <h1 className="text-lg font-semibold">Sign in to pgwarden</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">Use a pcp.conf user or a dashboard user.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <label className="block text-sm font-medium">
        User name
        <input name="name" autoComplete="username" required className={INPUT} />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input name="password" type="password" autoComplete="current-password" required className={INPUT} />
      </label>
      <Button type="submit" variant="primary" disabled={busy} className="w-full">
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}

function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}
