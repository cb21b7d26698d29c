/**
 * The OpenAPI 3.1 document of /api/v1, generated from the REST routes (themselves walked from the tRPC router) and
 * their zod schemas, plus the unauthenticated health and metrics endpoints served at the root.
 */
import { ENGINE_ERROR_STATUS } from '../errors';
import { objectProperties, requiredOf, type JsonSchema } from './json-schema';
import type { RestRoute } from './registry';

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'engineCode', 'retryable'],
      properties: {
        code: { type: 'string', description: 'tRPC error code, e.g. UNAUTHORIZED, FORBIDDEN, CONFLICT' },
        message: { type: 'string' },
        engineCode: {
          type: ['string', 'null'],
          enum: [...Object.keys(ENGINE_ERROR_STATUS), null],
          description: "The engine's stable reason code when the engine refused",
        },
        retryable: { type: 'boolean' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

const HEALTH_BODY: JsonSchema = {
  type: 'object',
  required: ['status', 'reason'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    reason: { type: 'string' },
    primaryNodeId: { type: 'integer' },
    nodes: { type: 'array', items: { type: 'object' } },
  },
};

const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string): JsonSchema => ({
  description,
  content: { 'application/json': { schema: errorRef } },
});

export function openApiDocument(routes: RestRoute[], version = '1'): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const method = route.rest.method.toLowerCase();
    const props = objectProperties(route.input);
    const required = new Set(requiredOf(route.input));
    const parameters: JsonSchema[] = route.params.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: props[name] ?? { type: 'string' },
    }));
    let requestBody: JsonSchema | undefined;
    const rest = Object.entries(props).filter(([k]) => !route.params.includes(k));
    if (route.rest.method === 'GET' || route.rest.method === 'DELETE') {
      for (const [name, schema] of rest) {
        parameters.push({
          name,
          in: 'query',
          required: required.has(name),
          schema,
          ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
        });
      }
    } else if (rest.length > 0) {
      const bodyRequired = rest.some(([k]) => required.has(k));
      requestBody = {
        required: bodyRequired,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: Object.fromEntries(rest),
              required: rest.map(([k]) => k).filter((k) => required.has(k)),
              additionalProperties: false,
            },
          },
        },
      };
    }
    const ok: JsonSchema = route.rest.stream
      ? {
          description: 'Server-sent events: each `data:` line is one JSON engine event, `id:` its event id',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        }
      : {
          description: 'OK',
          content: { 'application/json': { schema: route.output ?? {} } },
        };
    const responses: Record<string, unknown> = { '200': ok };
    if (route.input) responses['400'] = errorResponse('Invalid input');
    if (route.role !== 'public') {
      responses['401'] = errorResponse('No or unknown bearer token');
      responses['403'] = errorResponse(
        route.role === 'operator' ? 'The token is not an operator token' : 'Refused',
      );
    }
    if (route.params.length > 0) responses['404'] = errorResponse('Not found');
    if (route.type === 'mutation')
      responses['409'] = errorResponse('The engine refused: the node is not in a state for this');
    responses.default = errorResponse('Error (see engineCode)');
    (paths[route.rest.path] ??= {})[method] = {
      operationId: route.procedure,
      summary: route.rest.summary,
      ...(route.rest.description ? { description: route.rest.description } : {}),
      tags: route.rest.tags ?? [route.procedure.split('.')[0]],
      'x-pgwarden-role': route.role,
      ...(route.role === 'public' ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }
  for (const [path, summary] of HEALTH_PATHS) {
    paths[path] = {
      servers: [{ url: '/' }],
      get: {
        operationId: `health.${path.slice(1)}`,
        summary,
        tags: ['health'],
        security: [],
        ...(path === '/replica'
          ? {
              parameters: [
                {
                  name: 'lag',
                  in: 'query',
                  required: false,
                  description:
                    'Largest acceptable delay: bytes (16MB, 1024kB, 500) or a duration (5s, 250ms, 1min)',
                  schema: { type: 'string' },
                },
              ],
            }
          : {}),
        responses: {
          '200': { description: 'Healthy', content: { 'application/json': { schema: HEALTH_BODY } } },
          '503': {
            description: 'Not healthy (reason says why)',
            content: { 'application/json': { schema: HEALTH_BODY } },
          },
        },
      },
    };
  }
  paths['/metrics'] = {
    servers: [{ url: '/' }],
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format 0.0.4)',
      tags: ['metrics'],
      security: [],
      responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'pgwarden control plane',
      version,
      description:
        'REST API generated from the same procedures as the dashboard (tRPC). Authenticate with `Authorization: ' +
        'Bearer <token>`; viewer tokens read, operator tokens also act. Every action is audited with the token name.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.flatMap((r) => r.rest.tags ?? []))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

const HEALTH_PATHS: [string, string][] = [
  ['/health', 'pgwarden runs and at least one backend is up'],
  ['/primary', 'A primary is known and up'],
  ['/replica', 'Some standby is up (and within ?lag when given)'],
  ['/liveness', 'The engine answers'],
  ['/readiness', 'Ready for client traffic: engine answers, no failover running, a backend is up'],
];
