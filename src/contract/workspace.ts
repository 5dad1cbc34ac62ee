/** Workspace operations (docs/workspaces.md): inputs and records. */
import { z } from "zod";
import { NETWORK_POLICIES } from "./choices.js";
import {
  Command,
  DiskMib,
  EnvironmentName,
  MaxPids,
  MemMib,
  TimeoutSeconds,
  TtlSeconds,
  VcpuCount,
} from "./common.js";
import { MAX_FORK_COUNT, SECRET_ENV_RE } from "./defaults.js";

export { MAX_FORK_COUNT };

/** The names rule: workspace names, label keys (and later snapshot/service names). */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const WorkspaceRef = z
  .string()
  .min(1)
  .describe("Workspace id (ws_ + 12 hex digits) or its unique name");

export const LabelKey = z.string().regex(NAME_RE, "label keys match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
export const Labels = z
  .record(LabelKey, z.string().max(256))
  .describe("Labels as key/value strings, for filtering and bookkeeping");

export const NetworkPolicy = z
  .enum(NETWORK_POLICIES)
  .default("off")
  .describe("Guest network: off (no NIC), egress (outbound NAT), egress+published-ports. Default off.");

/** Secret names: `^[A-Za-z_][A-Za-z0-9_]{0,63}$`. */
export const SecretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "secret names match ^[A-Za-z_][A-Za-z0-9_]{0,63}$");

export const SecretSourceSchema = z.union([
  z.object({ name: SecretName, value: z.string().min(1).describe("The secret value") }).strict(),
  z
    .object({ name: SecretName, filePath: z.string().min(1).describe("Host file holding the value") })
    .strict(),
]);

export const SecretEnv = z
  .array(z.string().regex(SECRET_ENV_RE, "NAME or NAME=ENV_VAR"))
  .default([])
  .describe(
    "Secrets to expose as environment variables for this call: NAME (as $NAME) or NAME=ENV_VAR. Output shows their values as [REDACTED].",
  );

/** Default and cap of file reads, in bytes. */
export const DEFAULT_READ_MAX_BYTES = 65_536;
/** Cap of one text write, in bytes (1 MiB). */
export const MAX_WRITE_BYTES = 1024 * 1024;

export const CreateWorkspaceInputSchema = z
  .object({
    environment: EnvironmentName,
    vcpuCount: VcpuCount,
    memMib: MemMib,
    ttlSeconds: TtlSeconds,
    ttlAction: z
      .enum(["pause", "delete"])
      .default("pause")
      .describe(
        "What the idle TTL does: pause (default: RAM and processes saved; the next exec, shell or service call resumes it) or delete (the workspace and its files are removed)",
      ),
    autoResume: z
      .boolean()
      .default(true)
      .describe(
        "Whether exec, shell and service calls resume the workspace when it is paused. false: they fail with workspace_paused. Default true.",
      ),
    networkPolicy: NetworkPolicy,
    seedPath: z
      .string()
      .min(1)
      .optional()
      .describe("Host directory or .tar/.tar.gz/.tgz imported into /workspace"),
    projectPath: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Host directory inside a git work tree: /workspace gets the repository's tracked and untracked-but-not-ignored files (git ls-files --cached --others --exclude-standard; no .git). Not with seedPath or repoUrl",
      ),
    repoUrl: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Git repository (URL, file:// URL or local path) cloned to seed /workspace with the tree of repoRef (no .git)",
      ),
    repoRef: z
      .string()
      .min(1)
      .optional()
      .describe("Branch, tag or commit of repoUrl (default: its default branch)"),
    name: z.string().regex(NAME_RE, "names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$").optional(),
    labels: Labels.default({}),
    secrets: z
      .array(SecretSourceSchema)
      .max(64)
      .default([])
      .describe(
        "Secrets: {name, value} or {name, filePath}. Kept host-side (0600) and in the guest only under /run/pyro-secrets; redacted from all output.",
      ),
    maxPids: MaxPids.optional(),
    diskMib: DiskMib,
    cold: z
      .boolean()
      .default(false)
      .describe("Boot the kernel even when a VM template could be restored (slower). Default false."),
  })
  .strict();
export type CreateWorkspaceInput = z.input<typeof CreateWorkspaceInputSchema>;

export const UpdateWorkspaceInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    name: z.string().regex(NAME_RE, "names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$").optional(),
    labels: Labels.optional().describe("Labels to set (merged into the existing ones)"),
    clearLabels: z.array(LabelKey).optional().describe("Label keys to remove"),
  })
  .strict();
export type UpdateWorkspaceInput = z.input<typeof UpdateWorkspaceInputSchema>;

export const ForkWorkspaceInputSchema = z
  .object({
    workspaceId: WorkspaceRef.describe("The running (or paused) workspace to fork: id or unique name"),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,61}$/, "names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,61}$")
      .optional()
      .describe("Name of the fork; with count > 1 the forks are NAME-1 ... NAME-K"),
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_FORK_COUNT)
      .default(1)
      .describe(`How many forks to make, 1-${MAX_FORK_COUNT}. Default 1.`),
  })
  .strict();
export type ForkWorkspaceInput = z.input<typeof ForkWorkspaceInputSchema>;

export const ExecWorkspaceInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    command: Command,
    timeoutSeconds: TimeoutSeconds,
    secretEnv: SecretEnv,
  })
  .strict();
export type ExecWorkspaceInput = z.input<typeof ExecWorkspaceInputSchema>;

export const PushWorkspaceSyncInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    sourcePath: z.string().min(1).describe("Host directory or .tar/.tar.gz/.tgz"),
    dest: z
      .string()
      .min(1)
      .default("/workspace")
      .describe("Destination inside /workspace. Default /workspace."),
  })
  .strict();
export type PushWorkspaceSyncInput = z.input<typeof PushWorkspaceSyncInputSchema>;

export const ExportWorkspaceInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    path: z.string().min(1).describe("File or directory inside /workspace"),
    outputPath: z.string().min(1).describe("Host path to create (must not exist)"),
  })
  .strict();
export type ExportWorkspaceInput = z.input<typeof ExportWorkspaceInputSchema>;

export const ListWorkspaceFilesInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    path: z.string().min(1).default("/workspace"),
    recursive: z.boolean().default(false),
  })
  .strict();
export type ListWorkspaceFilesInput = z.input<typeof ListWorkspaceFilesInputSchema>;

export const ReadWorkspaceFileInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    path: z.string().min(1),
    maxBytes: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024 * 1024)
      .default(DEFAULT_READ_MAX_BYTES)
      .describe(`Bytes to return at most. Default ${DEFAULT_READ_MAX_BYTES}.`),
  })
  .strict();
export type ReadWorkspaceFileInput = z.input<typeof ReadWorkspaceFileInputSchema>;

export const WriteWorkspaceFileInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    path: z.string().min(1),
    text: z
      .string()
      .refine((t) => Buffer.byteLength(t) <= MAX_WRITE_BYTES, "text is larger than 1 MiB")
      .describe("The whole new content (UTF-8, at most 1 MiB)"),
  })
  .strict();
export type WriteWorkspaceFileInput = z.input<typeof WriteWorkspaceFileInputSchema>;

export const ApplyWorkspacePatchInputSchema = z
  .object({ workspaceId: WorkspaceRef, patch: z.string().min(1).describe("A unified diff") })
  .strict();
export type ApplyWorkspacePatchInput = z.input<typeof ApplyWorkspacePatchInputSchema>;

export const SnapshotName = z
  .string()
  .regex(NAME_RE, "snapshot names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
  .describe('Snapshot name; "baseline" is the implicit create-time snapshot');

export const SnapshotInputSchema = z.object({ workspaceId: WorkspaceRef, name: SnapshotName }).strict();
export type SnapshotInput = z.input<typeof SnapshotInputSchema>;

export const ResetWorkspaceInputSchema = z
  .object({ workspaceId: WorkspaceRef, snapshot: SnapshotName.default("baseline") })
  .strict();
export type ResetWorkspaceInput = z.input<typeof ResetWorkspaceInputSchema>;

/** Disk tools take the same inputs as their live twins, read from the image instead. */
export const DiskListInputSchema = ListWorkspaceFilesInputSchema;
export type DiskListInput = ListWorkspaceFilesInput;

export const DiskReadInputSchema = ReadWorkspaceFileInputSchema;
export type DiskReadInput = ReadWorkspaceFileInput;

export const DiskExportInputSchema = z
  .object({
    workspaceId: WorkspaceRef,
    outputPath: z.string().min(1).describe("Host path of the raw ext4 copy (must not exist)"),
  })
  .strict();
export type DiskExportInput = z.input<typeof DiskExportInputSchema>;
