/**
 * What the dashboard server answers itself, before Next.js: the REST API (/api/v1, ../rest/), the Patroni-style
 * health endpoints and Prometheus /metrics. Plain node:http handlers: health probes and scrapes stay cheap and work
 * even when the dashboard UI is not built.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHandle } from '../handle';
import { handleRest, REST_PREFIX } from '../rest/handler';
import { HEALTH_PATHS, HealthService } from './health';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics';

const health = new HealthService(() => getHandle().engine);

/** Answers the request and returns true when it is one of ours; false lets Next handle it. */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  if (path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`)) {
    await handleRest(req, res, getHandle(), url);
    return true;
  }
  if (HEALTH_PATHS.has(path) && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')) {
    const answer = await health.answer(path, url.searchParams);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(method === 'GET' ? JSON.stringify(answer.body) : undefined);
    return true;
  }
  if (path === '/metrics' && (method === 'GET' || method === 'HEAD')) {
    try {
      const text = await renderMetrics(getHandle().engine);
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(method === 'GET' ? text : undefined);
    } catch (err) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`# pgwarden engine unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return true;
  }
  return false;
}
