import { z } from "zod";
import type { JsonSchema } from "../tools/json_schema.ts";
import type { ToolTypeInfo } from "./declarations.ts";

/** zod's JSON Schema output, minus the `$schema` keyword nobody prints. */
export function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema);
  return rest as JsonSchema;
}

/** Joins expected output lines. */
export function lines(...text: string[]): string {
  return text.join("\n");
}

/** A simple tool with input and output objects. */
export const weatherGet: ToolTypeInfo = {
  path: ["weather", "get"],
  description: "Current weather for a city.",
  inputSchema: fromZod(z.object({ city: z.string() })),
  outputSchema: fromZod(z.object({ city: z.string(), tempC: z.number() })),
};

/** A shared definition, emitted by zod under `$defs`. */
export const Address = z.object({ street: z.string(), city: z.string() }).meta({
  id: "Address",
  description: "A postal address.",
});

/** A recursive schema, emitted by zod with a `$ref`. */
export const TreeNode = z.object({
  label: z.string(),
  get children(): z.ZodArray<typeof TreeNode> {
    return z.array(TreeNode);
  },
});
