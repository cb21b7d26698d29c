/** Names shared by the browser (lib/trpc.ts) and the server's auth (server/api): one place for both. */
export const SESSION_COOKIE = 'pgwarden_session';
/** Mutations must carry this header: a cross-site form or fetch cannot send it without a CORS preflight. */
export const CSRF_HEADER = 'x-pgwarden-csrf';
