import { TRPCClientError } from '@trpc/client';

/** The engine's words for a refusal or failure: its message, and its stable code when it gave one. */
export function errorText(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const data = err.data as { engineCode?: string | null; code?: string } | undefined;
    return data?.engineCode ? `${err.message} (${data.engineCode})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function isUnauthorized(err: unknown): boolean {
  return (
    err instanceof TRPCClientError && (err.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED'
  );
}
