/** Shells and services of a workspace (docs/workspaces.md and docs/public-contract.md). */
import { z } from "zod";
import { SHELL_SIGNALS } from "./choices.js";
import { Command } from "./common.js";
import { NAME_RE, SecretEnv, WorkspaceRef } from "./workspace.js";

export const ShellId = z.string().min(1).describe("Shell id as returned by openShell (sh_ + 8 hex digits)");
export const ServiceName = z
  .string()
  .regex(NAME_RE, "service names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
  .describe("Service name, unique among the workspace's running services");

export const OpenShellInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    cwd: z
      .string()
      .min(1)
      .default("/workspace")
      .describe("Start directory inside /workspace. Default /workspace."),
    cols: z.number().int().min(10).max(1000).default(120).describe("Terminal columns. Default 120."),
    rows: z.number().int().min(5).max(1000).default(30).describe("Terminal rows. Default 30."),
    secretEnv: SecretEnv,
  })
  .strict();
export type OpenShellInput = z.input<typeof OpenShellInputSchema>;

export const ShellRefInputSchema = z.object({ workspaceId: WorkspaceRef, shellId: ShellId }).strict();
export type ShellRefInput = z.input<typeof ShellRefInputSchema>;

export const ReadShellInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    shellId: ShellId,
    cursor: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("Byte offset to read from (next_cursor of the last read). Default 0."),
    maxChars: z
      .number()
      .int()
      .min(1)
      .max(1_048_576)
      .default(65_536)
      .describe("Most output to return, in bytes. Default 65536."),
    plain: z
      .boolean()
      .default(false)
      .describe("Render through a terminal emulator: text without control sequences."),
    waitForIdleMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(0)
      .describe(
        "Wait until the shell has been quiet this long (ms) before reading; capped at 60000. Default 0.",
      ),
  })
  .strict();
export type ReadShellInput = z.input<typeof ReadShellInputSchema>;

export const WriteShellInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    shellId: ShellId,
    input: z.string().describe("Text to type into the shell"),
    newline: z.boolean().default(true).describe("Append a newline (press Enter). Default true."),
  })
  .strict();
export type WriteShellInput = z.input<typeof WriteShellInputSchema>;

export const SignalShellInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    shellId: ShellId,
    signal: z
      .enum(SHELL_SIGNALS)
      .default("INT")
      .describe("Signal for the foreground process group. Default INT."),
  })
  .strict();
export type SignalShellInput = z.input<typeof SignalShellInputSchema>;

export const ResizeShellInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    shellId: ShellId,
    cols: z.number().int().min(10).max(1000),
    rows: z.number().int().min(5).max(1000),
  })
  .strict();
export type ResizeShellInput = z.input<typeof ResizeShellInputSchema>;

export const StartServiceInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    serviceName: ServiceName,
    command: Command,
    cwd: z.string().min(1).default("/workspace"),
    readyFile: z.string().min(1).optional().describe("Ready once this path (relative to cwd) exists"),
    readyTcp: z
      .string()
      .regex(/^[^:]+:\d+$/, "HOST:PORT")
      .optional()
      .describe("Ready once HOST:PORT accepts a connection"),
    readyHttp: z.string().url().optional().describe("Ready once this URL answers with a status below 500"),
    readyCommand: z.string().min(1).optional().describe("Ready once `sh -c COMMAND` exits 0"),
    readyTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe("Seconds to become ready. Default 30."),
    readyIntervalMs: z
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(500)
      .describe("Probe interval in ms. Default 500."),
    secretEnv: SecretEnv,
    publish: z
      .array(z.string().regex(/^(\d{1,5}:)?\d{1,5}$/, "[HOST_PORT:]GUEST_PORT"))
      .default([])
      .describe(
        "Ports to publish on the host's 127.0.0.1 while the service runs: [HOST_PORT:]GUEST_PORT (a free host port when omitted). Needs network policy egress+published-ports.",
      ),
  })
  .strict();
export type StartServiceInput = z.input<typeof StartServiceInputSchema>;

export const ServiceRefInputSchema = z
  .object({ workspaceId: WorkspaceRef, serviceName: ServiceName })
  .strict();
export type ServiceRefInput = z.input<typeof ServiceRefInputSchema>;

export const LogsServiceInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    serviceName: ServiceName,
    tailLines: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(100)
      .describe("Last lines of each stream. Default 100."),
    all: z.boolean().default(false).describe("Everything kept instead of the tail"),
  })
  .strict();
export type LogsServiceInput = z.input<typeof LogsServiceInputSchema>;
