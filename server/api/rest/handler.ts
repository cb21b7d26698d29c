/**
 * REST under /api/v1, generated from the tRPC router (./registry.ts): bearer tokens only (no cookies, so no CSRF
 * exposure), the procedures called through createCaller so the role guards, zod validation, engine error mapping
 * and audit are the same as over tRPC. Errors are JSON `{ error: { code, message, engineCode, retryable, issues? } }`
 * with the HTTP status of server/api/errors.ts. Subscriptions (`rest.stream`) are served as text/event-stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getTRPCErrorFromUnknown, isTrackedEnvelope, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { isEngineError } from '../../engine/errors';
import type { Context } from '../context';
import { ENGINE_ERROR_STATUS } from '../errors';
import type { PgwardenHandle } from '../handle';
import { appRouter } from '../root';
import { openApiDocument } from './openapi';
import { buildInput, InputError } from './input';
import { findRoute, restRoutes, type RestRoute } from './registry';

export const REST_PREFIX = '/api/v1';
const MAX_BODY = 64 * 1024;

let cached: { routes: RestRoute[]; openapi: string } | null = null;
function registry(): { routes: RestRoute[]; openapi: string } {
  if (!cached) {
    const routes = restRoutes(appRouter);
    cached = { routes, openapi: JSON.stringify(openApiDocument(routes)) };
  }
  return cached;
}

/** Handles a request under /api/v1 (`pathname` is what follows the prefix). */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  handle: PgwardenHandle,
  url: URL,
): Promise<void> {
  const pathname = url.pathname.slice(REST_PREFIX.length) || '/';
  const method = (req.method ?? 'GET').toUpperCase();
  const { routes, openapi } = registry();
  if (pathname === '/openapi.json' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
    res.end(method === 'HEAD' ? undefined : openapi);
    return;
  }
  const found = findRoute(routes, method, pathname);
  if (!found.route) {
    if (found.methods.length > 0) {
      res.setHeader('allow', found.methods.join(', '));
      return sendError(
        res,
        405,
        'METHOD_NOT_SUPPORTED',
        `${method} is not allowed here (use ${found.methods.join(', ')})`,
      );
    }
    return sendError(res, 404, 'NOT_FOUND', `no such endpoint: ${method} ${REST_PREFIX}${pathname}`);
  }
  const { route, params } = found;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  try {
    const ctx = await restContext(req, handle);
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
    const input = buildInput(route.input, params, url.searchParams, body);
    if (route.rest.stream && input && typeof input === 'object') {
      const last = req.headers['last-event-id'];
      if (typeof last === 'string' && !('lastEventId' in input))
        (input as Record<string, unknown>).lastEventId = last;
    }
    const caller = appRouter.createCaller(ctx, { signal: abort.signal });
    const fn = route.procedure
      .split('.')
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (
      i: unknown,
    ) => Promise<unknown>;
    const result = await fn(input);
    if (route.type === 'subscription')
      return await streamSse(res, result as AsyncIterable<unknown>, abort.signal);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(result ?? null));
  } catch (err) {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof InputError) return sendError(res, 400, 'BAD_REQUEST', err.message);
    const { status, body } = restError(err);
    sendJson(res, status, body);
  }
}

async function restContext(req: IncomingMessage, handle: PgwardenHandle): Promise<Context> {
  const auth = req.headers.authorization;
  const principal = auth?.toLowerCase().startsWith('bearer ')
    ? await handle.services.auth.bearer(auth.slice(7).trim())
    : null;
  // No cookie sessions over REST: a bearer token is not an ambient credential, so no CSRF check is needed.
  return { handle, principal, csrfHeader: false, resHeaders: new Headers() };
}

export function restError(err: unknown): {
  status: number;
  body: { error: Record<string, unknown> };
} {
  const e = err instanceof TRPCError ? err : getTRPCErrorFromUnknown(err);
  const cause = e.cause;
  const engine = isEngineError(cause) ? cause : null;
  const status = engine
    ? (ENGINE_ERROR_STATUS[engine.code] ?? ENGINE_ERROR_STATUS.internal).http
    : getHTTPStatusCodeFromError(e);
  const issues = (cause as { issues?: { path?: readonly unknown[]; message: string }[] } | undefined)?.issues;
  return {
    status,
    body: {
      error: {
        code: e.code,
        message: e.code === 'INTERNAL_SERVER_ERROR' && !engine ? 'internal error' : e.message,
        engineCode: engine?.code ?? null,
        retryable: engine?.retryable ?? false,
        ...(Array.isArray(issues)
          ? {
              issues: issues.map((i) => ({ path: (i.path ?? []).map(String).join('.'), message: i.message })),
            }
          : {}),
      },
    },
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message, engineCode: null, retryable: false } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new InputError(`the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError('the body is not valid JSON');
  }
}

async function streamSse(
  res: ServerResponse,
  events: AsyncIterable<unknown>,
  signal: AbortSignal,
): Promise<void> {
  // Start the subscription before the headers go out: once a client sees the 200, nothing it causes is missed.
  const iterator = events[Symbol.asyncIterator]();
  let pending = iterator.next();
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(': pgwarden event stream\n\n');
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  signal.addEventListener('abort', () => void iterator.return?.(), { once: true });
  try {
    for (;;) {
      const next = await pending;
      if (next.done || signal.aborted) break;
      const value = next.value;
      if (isTrackedEnvelope(value)) res.write(`id: ${value[0]}\ndata: ${JSON.stringify(value[1])}\n\n`);
      else res.write(`data: ${JSON.stringify(value)}\n\n`);
      pending = iterator.next();
    }
  } finally {
    clearInterval(ping);
    res.end();
  }
}
