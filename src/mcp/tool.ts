/**
 * The MCP operation table: each tool is declared once as a {@link ToolSpec} (SDK input schema,
 * contract output schema, SDK call, profiles, annotations, the fields shown as text blocks) and registered by
 * {@link registerToolTable}.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { z } from "zod";
import type { McpProfile } from "../contract/choices.js";
import { type Camel, PyroError, toCamel } from "../sdk/index.js";
import { profileInput } from "./profiles.js";
import { toolError, toolResult } from "./respond.js";
import {
  advertisedInput,
  advertisedOutput,
  parseToolInput,
  snakeSchema,
  toolOutputSchema,
} from "./schema.js";

// The profile names are part of the contract (the CLI offers them as `--profile` choices).
export { MCP_PROFILES, type McpProfile } from "../contract/choices.js";

/** MCP behaviour hints, all four stated explicitly for every tool. */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** One MCP tool: how it is advertised, in which profiles, and which SDK call it makes. */
export interface ToolSpec<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType> {
  /** snake_case tool name, e.g. `vm_run`. */
  name: string;
  /** Human title shown by clients. */
  title: string;
  /** Model-facing: what the tool does and when to use it. */
  description: string;
  /** Profiles that expose this tool. */
  profiles: readonly McpProfile[];
  /** The SDK's camelCase input schema; advertised and validated with snake_case keys. */
  input: I;
  /**
   * The contract's snake_case schema of the SDK record `call` returns (src/contract/records):
   * the result's `structuredContent`, advertised as the tool's `outputSchema`.
   */
  output: O;
  annotations: ToolHints;
  /**
   * Top-level string fields of the record that hold command output or file text (`stdout`,
   * `stderr`, `output`, `content`, `patch`): the text content shows them as delimited,
   * bounded blocks after the other fields' JSON (text.ts `resultText`). Without: the text
   * content is the record's JSON.
   */
  streams?: readonly (keyof z.output<O> & string)[];
  /** Makes the SDK call with validated camelCase input; `signal` aborts when the client cancels. */
  call(input: z.output<I>, signal: AbortSignal): Promise<Camel<z.output<O>>>;
}

/** Annotation presets shared by the tool tables. */
export const HINTS = {
  read: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  write: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  destroy: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
} satisfies Record<string, ToolHints>;

/** Type-checks a spec against its own schemas (the SDK call must return the output's record). */
export function defineTool<I extends z.ZodObject, O extends z.ZodType>(spec: ToolSpec<I, O>): ToolSpec {
  return spec as unknown as ToolSpec;
}

/**
 * Registers every spec whose `profiles` include `profile`, with the inputs that profile narrows
 * (`profiles.ts`). Handlers validate snake_case
 * arguments, call the SDK with camelCase input and answer through `respond.ts`; nothing
 * they throw escapes as a protocol error.
 */
export function registerToolTable(server: McpServer, profile: McpProfile, specs: readonly ToolSpec[]): void {
  for (const spec of specs) {
    if (!spec.profiles.includes(profile)) continue;
    const input = profileInput(profile, spec.name, snakeSchema(spec.input) as z.ZodObject);
    const output = toolOutputSchema(spec.output);
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: advertisedInput(input),
        outputSchema: advertisedOutput(output),
        annotations: { ...spec.annotations },
      },
      async (args, extra) => {
        try {
          const camel = toCamel(parseToolInput(input, args)) as z.output<typeof spec.input>;
          const record = await spec.call(camel, extra.signal);
          const result = toolResult(record, spec.streams);
          // The record must be what outputSchema promises (the MCP SDK's own check passes anything).
          const checked = output.safeParse(result.structuredContent);
          if (!checked.success) {
            const issue = checked.error.issues[0];
            throw new PyroError(
              "internal",
              `${spec.name} result does not match its output schema at ${issue?.path.join(".") || "top level"}: ${issue?.message}`,
            );
          }
          return result;
        } catch (err) {
          return toolError(err);
        }
      },
    );
  }
}
