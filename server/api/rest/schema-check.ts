/**
 * A small JSON Schema (2020-12 subset) checker and an OpenAPI 3.1 structure check, for tests: the generated document
 * must be well formed, and real responses must match the schemas it promises. Covers what z.toJSONSchema emits:
 * type (also as a list), properties, required, additionalProperties, items, enum, const, anyOf/oneOf/allOf,
 * minimum/maximum, exclusiveMinimum/Maximum, minLength/maxLength, minItems/maxItems, format date-time, $ref to
 * #/components/schemas.
 */
import type { JsonSchema } from './json-schema';

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

export function checkSchema(schema: unknown, value: unknown, root: JsonSchema, path = '$'): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value allowed`];
  const s = schema as JsonSchema;
  const errs: string[] = [];
  if (typeof s.$ref === 'string') {
    const target = resolveRef(root, s.$ref);
    if (!target) return [`${path}: unresolvable $ref ${s.$ref}`];
    return checkSchema(target, value, root, path);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeOk(t, value)))
      return [`${path}: expected ${types.join('|')}, got ${jsonType(value)}`];
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => e === value))
    errs.push(`${path}: ${String(value)} not in enum`);
  if ('const' in s && s.const !== value) errs.push(`${path}: expected ${String(s.const)}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errs.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errs.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      errs.push(`${path}: not above min`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
      errs.push(`${path}: not below max`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) errs.push(`${path}: too short`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) errs.push(`${path}: too long`);
    if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) errs.push(`${path}: not a date-time`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errs.push(`${path}: too few items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errs.push(`${path}: too many items`);
    if (s.items !== undefined)
      value.forEach((v, i) => errs.push(...checkSchema(s.items, v, root, `${path}[${i}]`)));
  }
  if (jsonType(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? [])
      if (!(r in obj)) errs.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...checkSchema(props[k], v, root, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === 'object')
        errs.push(...checkSchema(s.additionalProperties, v, root, `${path}.${k}`));
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) errs.push(...checkSchema(sub, value, root, path));
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => checkSchema(sub, value, root, path).length === 0))
    errs.push(`${path}: matches none of anyOf`);
  if (
    Array.isArray(s.oneOf) &&
    s.oneOf.filter((sub) => checkSchema(sub, value, root, path).length === 0).length !== 1
  )
    errs.push(`${path}: does not match exactly one of oneOf`);
  return errs;
}

/** Every keyword we meet is one we understand; types are known; refs resolve. */
export function checkSchemaShape(schema: unknown, root: JsonSchema, path: string): string[] {
  if (typeof schema === 'boolean') return [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return [`${path}: not a schema`];
  const s = schema as JsonSchema;
  const errs: string[] = [];
  if (typeof s.$ref === 'string' && !resolveRef(root, s.$ref)) errs.push(`${path}: unresolvable ${s.$ref}`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (!TYPES.has(t as string)) errs.push(`${path}: unknown type ${String(t)}`);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required)) errs.push(`${path}: required is not a list`);
    else
      for (const r of s.required)
        if (!s.properties || !(r in (s.properties as object)))
          errs.push(`${path}: required ${r} has no property`);
  }
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, unknown>))
    errs.push(...checkSchemaShape(v, root, `${path}.properties.${k}`));
  if (s.items !== undefined) errs.push(...checkSchemaShape(s.items, root, `${path}.items`));
  if (typeof s.additionalProperties === 'object')
    errs.push(...checkSchemaShape(s.additionalProperties, root, `${path}.additionalProperties`));
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
    if (s[k] !== undefined) {
      if (!Array.isArray(s[k])) errs.push(`${path}.${k}: not a list`);
      else
        (s[k] as unknown[]).forEach((sub, i) =>
          errs.push(...checkSchemaShape(sub, root, `${path}.${k}[${i}]`)),
        );
    }
  return errs;
}

/** OpenAPI 3.1 structure: info, paths with operations, unique operationIds, declared path parameters, responses. */
export function checkOpenApi(doc: JsonSchema): string[] {
  const errs: string[] = [];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) errs.push('openapi is not 3.1.x');
  const info = doc.info as JsonSchema | undefined;
  if (!info || typeof info.title !== 'string' || typeof info.version !== 'string')
    errs.push('info.title/version missing');
  const paths = doc.paths as Record<string, JsonSchema> | undefined;
  if (!paths || Object.keys(paths).length === 0) return [...errs, 'no paths'];
  const ids = new Set<string>();
  const schemes = ((doc.components as JsonSchema | undefined)?.securitySchemes ?? {}) as Record<
    string,
    unknown
  >;
  for (const req of (doc.security as Record<string, unknown>[] | undefined) ?? [])
    for (const k of Object.keys(req))
      if (!(k in schemes)) errs.push(`security ${k} is not a declared scheme`);
  for (const [p, item] of Object.entries(paths)) {
    if (!p.startsWith('/')) errs.push(`${p}: path does not start with /`);
    const templ = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const ops = METHODS.filter((m) => m in item);
    if (ops.length === 0) errs.push(`${p}: no operations`);
    for (const m of ops) {
      const op = item[m] as JsonSchema;
      const where = `${m.toUpperCase()} ${p}`;
      if (typeof op.operationId !== 'string') errs.push(`${where}: no operationId`);
      else if (ids.has(op.operationId)) errs.push(`${where}: duplicate operationId ${op.operationId}`);
      else ids.add(op.operationId);
      const params = (op.parameters as JsonSchema[] | undefined) ?? [];
      for (const name of templ)
        if (!params.some((x) => x.in === 'path' && x.name === name && x.required === true))
          errs.push(`${where}: path parameter ${name} not declared as required`);
      for (const x of params) {
        if (!['path', 'query', 'header', 'cookie'].includes(x.in as string))
          errs.push(`${where}: bad parameter in`);
        if (x.in === 'path' && !templ.includes(x.name as string))
          errs.push(`${where}: parameter ${String(x.name)} not in path`);
        errs.push(...checkSchemaShape(x.schema, doc, `${where} parameter ${String(x.name)}`));
      }
      const body = op.requestBody as JsonSchema | undefined;
      if (body) {
        const content = body.content as Record<string, JsonSchema> | undefined;
        if (!content || Object.keys(content).length === 0) errs.push(`${where}: requestBody without content`);
        for (const [ct, media] of Object.entries(content ?? {}))
          errs.push(...checkSchemaShape(media.schema, doc, `${where} body ${ct}`));
      }
      const responses = op.responses as Record<string, JsonSchema> | undefined;
      if (!responses || Object.keys(responses).length === 0) {
        errs.push(`${where}: no responses`);
        continue;
      }
      for (const [code, r] of Object.entries(responses)) {
        if (code !== 'default' && !/^[1-5](\d\d|XX)$/.test(code)) errs.push(`${where}: bad status ${code}`);
        if (typeof r.description !== 'string') errs.push(`${where} ${code}: no description`);
        for (const [ct, media] of Object.entries((r.content ?? {}) as Record<string, JsonSchema>))
          errs.push(...checkSchemaShape(media.schema ?? {}, doc, `${where} ${code} ${ct}`));
      }
    }
  }
  return errs;
}

/** The JSON Schema a successful answer of `method path` must match (path as in the document). */
export function responseSchema(
  doc: JsonSchema,
  method: string,
  path: string,
  status = '200',
): JsonSchema | undefined {
  const op = (doc.paths as Record<string, JsonSchema>)[path]?.[method.toLowerCase()] as
    JsonSchema | undefined;
  const r = (op?.responses as Record<string, JsonSchema> | undefined)?.[status];
  return ((r?.content as Record<string, JsonSchema> | undefined)?.['application/json']?.schema ??
    undefined) as JsonSchema | undefined;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur && typeof cur === 'object' ? (cur as JsonSchema) : undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    default:
      return jsonType(v) === t;
  }
}
