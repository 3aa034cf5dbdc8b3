/**
 * The subset of JSON Schema that Codemode reads. Tools carry their input and
 * output schemas in this form, whether they were written with zod or arrived
 * as plain JSON Schema (from an upstream MCP server or another framework).
 *
 * @module
 */

/** A JSON Schema document or sub-schema (draft-07 or 2020-12). */
export type JsonSchema = boolean | JsonSchemaObject;

/** A JSON Schema object; unknown keywords are kept and ignored. */
export interface JsonSchemaObject {
  /** The type or types a value may have. */
  type?: string | string[];
  /** Human-readable description; becomes JSDoc in the declarations. */
  description?: string;
  /** Short title. */
  title?: string;
  /** Object properties. */
  properties?: Record<string, JsonSchema>;
  /** Names of required properties. */
  required?: string[];
  /** Schema of properties not listed, or whether they are allowed. */
  additionalProperties?: JsonSchema;
  /** Schemas for properties whose names match a pattern. */
  patternProperties?: Record<string, JsonSchema>;
  /** Array item schema (or tuple items in draft-07). */
  items?: JsonSchema | JsonSchema[];
  /** Tuple item schemas (2020-12). */
  prefixItems?: JsonSchema[];
  /** Allowed values. */
  enum?: unknown[];
  /** The one allowed value. */
  const?: unknown;
  /** Any of these schemas. */
  anyOf?: JsonSchema[];
  /** Exactly one of these schemas. */
  oneOf?: JsonSchema[];
  /** All of these schemas. */
  allOf?: JsonSchema[];
  /** A reference to another schema, usually `#/$defs/Name`. */
  $ref?: string;
  /** Named sub-schemas (2020-12). */
  $defs?: Record<string, JsonSchema>;
  /** Named sub-schemas (draft-07). */
  definitions?: Record<string, JsonSchema>;
  /** OpenAPI-style nullability. */
  nullable?: boolean;
  /** Default value. */
  default?: unknown;
  /** Any other keyword. */
  [keyword: string]: unknown;
}
