/**
 * REST input: path parameters, the query string (GET/DELETE) and the JSON body (POST/PUT) merged into the
 * procedure's input object. Strings from the path and query are converted by the input's JSON Schema (integers,
 * numbers, booleans, arrays as repeated or comma-separated values, date-time strings to Dates); zod then validates
 * exactly as for tRPC.
 */
import { objectProperties, type JsonSchema } from './json-schema';

export class InputError extends Error {}

export function buildInput(
  schema: JsonSchema | null,
  params: Record<string, string>,
  query: URLSearchParams,
  body: unknown,
): unknown {
  if (!schema) return undefined;
  const props = objectProperties(schema);
  const input: Record<string, unknown> = {};
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body))
      throw new InputError('the body must be a JSON object');
    for (const [k, v] of Object.entries(body)) input[k] = convertJson(props[k], v);
  }
  for (const key of new Set(query.keys())) {
    input[key] = convertStrings(props[key], query.getAll(key));
  }
  for (const [k, v] of Object.entries(params)) input[k] = convertStrings(props[k], [v]);
  return input;
}

function convertStrings(prop: JsonSchema | undefined, values: string[]): unknown {
  if (prop?.type === 'array') {
    const items = (prop.items as JsonSchema | undefined) ?? {};
    return values
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '')
      .map((v) => scalar(items, v));
  }
  return scalar(prop ?? {}, values[values.length - 1]!);
}

function scalar(prop: JsonSchema, v: string): unknown {
  switch (prop.type) {
    case 'integer':
    case 'number': {
      const n = Number(v);
      return v.trim() === '' || Number.isNaN(n) ? v : n;
    }
    case 'boolean':
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v;
    case 'string':
      return prop.format === 'date-time' ? toDate(v) : v;
    default:
      return v;
  }
}

function convertJson(prop: JsonSchema | undefined, v: unknown): unknown {
  if (prop?.format === 'date-time' && typeof v === 'string') return toDate(v);
  return v;
}

function toDate(v: string): Date | string {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d;
}
