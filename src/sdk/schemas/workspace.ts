/** Workspace operations (docs/workspaces.md): inputs and records. */
import { z } from "zod";
import { SECRET_ENV_RE } from "../exec-input.js";
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
  .enum(["off", "egress", "egress+published-ports"])
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
    networkPolicy: NetworkPolicy,
    seedPath: z
      .string()
      .min(1)
      .optional()
      .describe("Host directory or .tar/.tar.gz/.tgz imported into /workspace"),
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

export const WorkspaceSchema = z.object({
  workspaceId: z.string(),
  name: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  environment: z.string(),
  state: z.enum(["creating", "started", "stopped", "failed"]),
  vcpuCount: z.number(),
  memMib: z.number(),
  ttlSeconds: z.number(),
  networkPolicy: z.string(),
  executionMode: z.string(),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  createdAt: z.string(),
  lastActivityAt: z.string(),
  expiresAt: z.string().nullable(),
  workspaceSeed: z.object({
    mode: z.enum(["empty", "directory", "tar_archive"]),
    seedPath: z.string().nullable(),
  }),
  secrets: z.array(z.object({ name: z.string(), sourceKind: z.string() })),
  network: z
    .object({ interface: z.string(), hostIp: z.string(), guestIp: z.string() })
    .nullable()
    .describe("The guest NIC under egress policies: host TAP, host and guest addresses of its /30"),
  commandCount: z.number(),
  serviceCount: z.number(),
  runningServiceCount: z.number(),
  maxPids: z
    .number()
    .nullable()
    .describe(
      "Process cap per command (pids.max of each exec, shell and service cgroup; threads count too): the guest's value while it runs, else the one set at create (null: the default derived from memMib)",
    ),
  diskMib: z
    .number()
    .nullable()
    .describe("Disk size in MiB (apparent size of the sparse disk file); null when it has no disk"),
  diskAllocatedMib: z
    .number()
    .nullable()
    .describe("What the host stores of the disk in MiB (the sparse file's allocated blocks)"),
  userProcessCount: z
    .number()
    .nullable()
    .describe(
      "Processes of user work running in the guest now (every exec, shell and service, background ones included); null when the workspace is not running or did not answer",
    ),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const WorkspaceExecResultSchema = z.object({
  workspaceId: z.string(),
  sequence: z.number(),
  command: z.array(z.string()),
  cwd: z.string(),
  exitCode: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().describe("Time the command ran in the guest, in ms"),
  executionMode: z.string(),
});
export type WorkspaceExecResult = z.infer<typeof WorkspaceExecResultSchema>;

export const HistoryEntrySchema = z.object({
  sequence: z.number(),
  command: z.array(z.string()),
  cwd: z.string(),
  exitCode: z.number(),
  timedOut: z.boolean(),
  durationMs: z.number(),
  startedAt: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  outputTruncated: z.boolean(),
});
export const WorkspaceLogsSchema = z.object({
  workspaceId: z.string(),
  count: z.number(),
  entries: z.array(HistoryEntrySchema),
});
export type WorkspaceLogs = z.infer<typeof WorkspaceLogsSchema>;

export const SyncResultSchema = z.object({
  workspaceId: z.string(),
  sourcePath: z.string(),
  sourceKind: z.enum(["directory", "tar_archive"]),
  destination: z.string(),
  entries: z.number(),
  bytes: z.number(),
});
export type SyncResult = z.infer<typeof SyncResultSchema>;

export const ExportResultSchema = z.object({
  workspaceId: z.string(),
  guestPath: z.string(),
  outputPath: z.string(),
  kind: z.enum(["file", "directory"]),
  entries: z.number(),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;

export const DiffEntrySchema = z.object({
  path: z.string(),
  status: z.enum(["added", "deleted", "modified", "type_changed", "mode_changed"]),
  kind: z.enum(["text", "binary", "symlink", "directory", "other"]),
  oldMode: z.string().nullable(),
  newMode: z.string().nullable(),
});
export const WorkspaceDiffSchema = z.object({
  workspaceId: z.string(),
  changed: z.boolean(),
  summary: z.object({
    added: z.number(),
    deleted: z.number(),
    modified: z.number(),
    typeChanged: z.number(),
    modeChanged: z.number(),
    binary: z.number(),
  }),
  entries: z.array(DiffEntrySchema),
  patch: z.string(),
});
export type WorkspaceDiffResult = z.infer<typeof WorkspaceDiffSchema>;

export const FileEntrySchema = z.object({
  path: z.string(),
  type: z.enum(["file", "dir", "symlink", "other"]),
  size: z.number(),
  mode: z.string(),
  mtime: z.string(),
  linkTarget: z.string().nullable(),
});
export const FileListSchema = z.object({
  workspaceId: z.string(),
  path: z.string(),
  recursive: z.boolean(),
  entries: z.array(FileEntrySchema),
});
export type FileList = z.infer<typeof FileListSchema>;

export const FileReadSchema = z.object({
  workspaceId: z.string(),
  path: z.string(),
  size: z.number().describe("Full file size in bytes"),
  truncated: z.boolean(),
  encoding: z.enum(["utf-8", "base64"]),
  content: z.string(),
});
export type FileRead = z.infer<typeof FileReadSchema>;

export const FileWriteSchema = z.object({ workspaceId: z.string(), path: z.string(), bytes: z.number() });
export type FileWrite = z.infer<typeof FileWriteSchema>;

export const PatchResultSchema = z.object({
  workspaceId: z.string(),
  applied: z.boolean(),
  files: z.array(z.object({ path: z.string(), status: z.enum(["added", "modified", "deleted"]) })),
});
export type PatchResult = z.infer<typeof PatchResultSchema>;

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

export const SnapshotSchema = z.object({
  name: z.string(),
  createdAt: z.string(),
  sizeBytes: z.number().describe("Archive size in bytes"),
  implicit: z.boolean().describe("True for the create-time baseline, which cannot be deleted"),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const SnapshotListSchema = z.object({
  workspaceId: z.string(),
  count: z.number(),
  snapshots: z.array(SnapshotSchema),
});
export type SnapshotList = z.infer<typeof SnapshotListSchema>;

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

export const DiskListSchema = z.object({
  workspaceId: z.string(),
  path: z.string(),
  recursive: z.boolean(),
  entries: z.array(
    z.object({ path: z.string(), type: z.string(), size: z.number(), mode: z.string(), mtime: z.string() }),
  ),
});
export type DiskList = z.infer<typeof DiskListSchema>;

export const DiskExportSchema = z.object({
  workspaceId: z.string(),
  outputPath: z.string(),
  diskFormat: z.literal("ext4"),
  bytesWritten: z.number().describe("Apparent size of the copied image in bytes (the copy is sparse)"),
});
export type DiskExport = z.infer<typeof DiskExportSchema>;

export const StopStartResultSchema = z.object({
  workspace: WorkspaceSchema,
  changed: z.boolean().describe("False when the workspace already was in the requested state"),
});
export type StopStartResult = z.infer<typeof StopStartResultSchema>;
