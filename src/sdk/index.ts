/** Public entry of the `pyro-mcp` package: explicit named exports only. */

export type { DoctorReport } from "../core/doctor.js";
export type { PullPhase, PullProgress } from "../core/environments/progress.js";
export type { RunPhase } from "../core/run.js";
export {
  ERROR_CODES,
  type ErrorCode,
  InvalidArgumentError,
  PyroError,
  TimeoutError,
  toPyroError,
} from "../errors.js";
export { snakeKey, toCamel, toSnake } from "./case.js";
export { Pyro, type PyroOptions, type RunHooks } from "./pyro.js";
export {
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
} from "./schemas/common.js";
export type { Environment, EnvironmentList, PruneResult, PullResult } from "./schemas/environment.js";
export * as schemas from "./schemas/index.js";
export type { PreparedTemplate, PrepareInput, RunInput, RunResult } from "./schemas/run.js";
export type {
  LogsServiceInput,
  OpenShellInput,
  ReadShellInput,
  Service,
  ServiceList,
  ServiceLogs,
  ServiceRefInput,
  Shell,
  ShellRead,
  ShellRefInput,
  SignalShellInput,
  StartServiceInput,
  WriteShellInput,
} from "./schemas/runtime.js";
export type { CreateVmInput, ExecVmInput, Vm, VmExecResult, VmNetworkInfo } from "./schemas/vm.js";
export type {
  ApplyWorkspacePatchInput,
  CreateWorkspaceInput,
  DiskExport,
  DiskExportInput,
  DiskList,
  DiskListInput,
  DiskReadInput,
  ExecWorkspaceInput,
  ExportResult,
  ExportWorkspaceInput,
  FileList,
  FileRead,
  FileWrite,
  ListWorkspaceFilesInput,
  PatchResult,
  PushWorkspaceSyncInput,
  ReadWorkspaceFileInput,
  ResetWorkspaceInput,
  Snapshot,
  SnapshotInput,
  SnapshotList,
  StopStartResult,
  SyncResult,
  UpdateWorkspaceInput,
  Workspace,
  WorkspaceDiffResult,
  WorkspaceExecResult,
  WorkspaceLogs,
  WriteWorkspaceFileInput,
} from "./schemas/workspace.js";
