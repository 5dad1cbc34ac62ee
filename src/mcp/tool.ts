/**
 * The MCP operation table: each tool is declared once as a {@link ToolSpec} (SDK schema, SDK
 * call, profiles, annotations, summary line) and registered by {@link registerToolTable}.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { z } from "zod";
import type { McpProfile } from "../contract/choices.js";
import { toCamel } from "../sdk/index.js";
import { profileInput } from "./profiles.js";
import { toolError, toolResult } from "./respond.js";
import { advertisedInput, parseToolInput, snakeSchema } from "./schema.js";

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
export interface ToolSpec<I extends z.ZodObject = z.ZodObject, R = unknown> {
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
  annotations: ToolHints;
  /** Makes the SDK call with validated camelCase input; `signal` aborts when the client cancels. */
  call(input: z.output<I>, signal: AbortSignal): Promise<R>;
  /** One short line describing the SDK record (the text content of the result). */
  summary(record: R): string;
}

/** Annotation presets shared by the tool tables. */
export const HINTS = {
  read: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  write: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  destroy: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
} satisfies Record<string, ToolHints>;

/** Identity helper that type-checks a spec against its own schema and record types. */
export function defineTool<I extends z.ZodObject, R>(spec: ToolSpec<I, R>): ToolSpec<I, R> {
  return spec;
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
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: advertisedInput(input),
        annotations: { ...spec.annotations },
      },
      async (args, extra) => {
        try {
          const camel = toCamel(parseToolInput(input, args)) as z.output<typeof spec.input>;
          const record = await spec.call(camel, extra.signal);
          return toolResult(record, spec.summary(record));
        } catch (err) {
          return toolError(err);
        }
      },
    );
  }
}
