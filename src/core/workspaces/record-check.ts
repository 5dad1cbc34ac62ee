/**
 * A zod-free check of the few workspace record fields the `workspace exec` hot path reads (its
 * state, secret names, command count and activity mark; the name for resolving a ref; the
 * environment, whose container-image defaults the command starts with): every
 * exec reads the record twice, and loading zod for it would cost more than the rest of the
 * CLI's start-up. It covers those fields only, so a field added to the record
 * (contract/records/workspace-record.ts) never needs an edit here; the rest of a record is
 * left as read, neither checked nor interpreted. For anything it cannot vouch for it answers
 * undefined and record.ts asks the schema.
 * test/unit/core/workspaces/record-check.test.ts holds it to the schema's picked fields.
 */
import type { WorkspaceRecord } from "../../contract/records/workspace-record.js";

/** The fields of a record the exec hot path reads and writes. */
export const HEAD_FIELDS = [
  "workspace_id",
  "name",
  "environment",
  "state",
  "secrets",
  "command_count",
  "last_activity_at",
] as const;

/** The part of a {@link WorkspaceRecord} {@link quickWorkspaceHead} vouches for. */
export type WorkspaceHead = Pick<WorkspaceRecord, (typeof HEAD_FIELDS)[number]>;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
/** `{ name, source_kind }` with exactly these keys (zod would strip extras: refuse them). */
const isSecret = (v: unknown) =>
  isObj(v) && Object.keys(v).length === 2 && isStr(v.name) && isStr(v.source_kind);

const CHECKS: Record<keyof WorkspaceHead, (v: unknown) => boolean> = {
  workspace_id: isStr,
  name: (v) => v === null || isStr(v),
  environment: isStr,
  state: (v) => isStr(v) && ["creating", "started", "stopped", "paused", "failed"].includes(v),
  secrets: (v) => Array.isArray(v) && v.every(isSecret),
  command_count: Number.isSafeInteger,
  last_activity_at: isStr,
};

/**
 * The head fields of `raw` when each passes, as a fresh copy (callers mutate it); undefined
 * sends the record to the schema.
 */
export function quickWorkspaceHead(raw: unknown): WorkspaceHead | undefined {
  if (!isObj(raw)) return undefined;
  const head: Obj = {};
  for (const key of HEAD_FIELDS) {
    if (!Object.hasOwn(raw, key) || !CHECKS[key](raw[key])) return undefined;
    head[key] = structuredClone(raw[key]);
  }
  return head as WorkspaceHead;
}
