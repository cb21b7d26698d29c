/**
 * zod -> JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), with Dates as ISO 8601 strings: REST sends JSON, so a
 * Date crosses as `format: date-time` both ways (inputs are turned back into Dates by ./input.ts).
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** The object schema's properties, looking through `default`/optional wrappers (zod emits them flat). */
export function objectProperties(schema: JsonSchema | null): Record<string, JsonSchema> {
  if (!schema) return {};
  const props = schema.properties;
  return typeof props === 'object' && props !== null ? (props as Record<string, JsonSchema>) : {};
}

export function requiredOf(schema: JsonSchema | null): string[] {
  return Array.isArray(schema?.required) ? (schema.required as string[]) : [];
}
