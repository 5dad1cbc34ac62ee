/** Shell and service records of a workspace in snake_case (`--json`, MCP `structuredContent`). */
import { z } from "zod";

export const ShellSchema = z.object({
  workspace_id: z.string(),
  shell_id: z.string(),
  cwd: z.string(),
  cols: z.number(),
  rows: z.number(),
  state: z.enum(["running", "exited"]),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  exit_code: z.number().nullable(),
});
export type Shell = z.infer<typeof ShellSchema>;

export const ShellReadSchema = ShellSchema.extend({
  cursor: z.number(),
  next_cursor: z.number(),
  output: z.string(),
  truncated: z.boolean().describe("More output exists past next_cursor, or older output was dropped"),
  dropped_bytes: z.number().describe("Bytes before cursor that the bounded buffer no longer holds"),
});
export type ShellRead = z.infer<typeof ShellReadSchema>;

export const ShellWriteSchema = z.object({
  workspace_id: z.string(),
  shell_id: z.string(),
  bytes: z.number().describe("Bytes typed, the newline included"),
});
export type ShellWrite = z.infer<typeof ShellWriteSchema>;

export const ShellSignalSchema = z.object({
  workspace_id: z.string(),
  shell_id: z.string(),
  signal: z.enum(["HUP", "INT", "TERM", "KILL"]),
});
export type ShellSignal = z.infer<typeof ShellSignalSchema>;

export const ShellListSchema = z.object({ workspace_id: z.string(), shells: z.array(ShellSchema) });
export type ShellList = z.infer<typeof ShellListSchema>;

export const ServiceSchema = z.object({
  workspace_id: z.string(),
  service_name: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  state: z.enum(["starting", "running", "ready", "failed", "stopped", "exited"]),
  pid: z.number().nullable(),
  started_at: z.string(),
  ready_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  exit_code: z.number().nullable(),
  readiness: z.object({
    type: z.string(),
    target: z.string(),
    timeout_ms: z.number(),
    interval_ms: z.number(),
  }),
  stop_reason: z.string().nullable().describe("timeout, exited_early, exited or stopped"),
  published_ports: z.array(z.object({ host: z.string(), host_port: z.number(), guest_port: z.number() })),
});
export type Service = z.infer<typeof ServiceSchema>;

export const ServiceListSchema = z.object({
  workspace_id: z.string(),
  count: z.number(),
  running_count: z.number(),
  services: z.array(ServiceSchema),
});
export type ServiceList = z.infer<typeof ServiceListSchema>;

export const ServiceLogsSchema = z.object({
  workspace_id: z.string(),
  service_name: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean(),
});
export type ServiceLogs = z.infer<typeof ServiceLogsSchema>;
