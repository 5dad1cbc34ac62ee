/**
 * The SDK's schemas (exported as `schemas`): the operation inputs as src/contract defines them,
 * and every record and result in camelCase, derived from the contract's snake_case schema
 * (`camelSchema`), with its type (`Camel<...>`). One schema per record; this file only renames.
 */
import type { z } from "zod";
import type { Camel } from "../contract/case.js";
import * as R from "../contract/records/index.js";
import { camelSchema } from "../contract/schema-case.js";

export * from "../contract/common.js";
export * from "../contract/environment.js";
export * from "../contract/run.js";
export * from "../contract/runtime.js";
export * from "../contract/vm.js";
export * from "../contract/workspace.js";

/** The camelCase record type of a snake_case record schema. */
export type CamelOf<S extends z.ZodType> = Camel<z.output<S>>;

export const DoctorReportSchema = camelSchema(R.DoctorReportSchema);
export type DoctorReport = CamelOf<typeof R.DoctorReportSchema>;

export const EnvironmentSchema = camelSchema(R.EnvironmentSchema);
export type Environment = CamelOf<typeof R.EnvironmentSchema>;
export const EnvironmentListSchema = camelSchema(R.EnvironmentListSchema);
export type EnvironmentList = CamelOf<typeof R.EnvironmentListSchema>;
export const PullResultSchema = camelSchema(R.PullResultSchema);
export type PullResult = CamelOf<typeof R.PullResultSchema>;
export const PruneResultSchema = camelSchema(R.PruneResultSchema);
export type PruneResult = CamelOf<typeof R.PruneResultSchema>;
export const PrepareResultSchema = camelSchema(R.PrepareResultSchema);
export type PrepareResult = CamelOf<typeof R.PrepareResultSchema>;
export const BuildResultSchema = camelSchema(R.BuildResultSchema);
export type BuildResult = CamelOf<typeof R.BuildResultSchema>;
export const PushResultSchema = camelSchema(R.PushResultSchema);
export type PushResult = CamelOf<typeof R.PushResultSchema>;

export const VmSchema = camelSchema(R.VmSchema);
export type Vm = CamelOf<typeof R.VmSchema>;
export const VmListSchema = camelSchema(R.VmListSchema);
export type VmList = CamelOf<typeof R.VmListSchema>;
export const VmDeleteSchema = camelSchema(R.VmDeleteSchema);
export type VmDelete = CamelOf<typeof R.VmDeleteSchema>;
/** The `cleanup` of a run or VM exec (a {@link VmDeleteSchema}). */
export const CleanupSchema = VmDeleteSchema;
export const VmExecResultSchema = camelSchema(R.VmExecResultSchema);
export type VmExecResult = CamelOf<typeof R.VmExecResultSchema>;
export const VmNetworkInfoSchema = camelSchema(R.VmNetworkInfoSchema);
export type VmNetworkInfo = CamelOf<typeof R.VmNetworkInfoSchema>;
export const ReapResultSchema = camelSchema(R.ReapResultSchema);
export type ReapResult = CamelOf<typeof R.ReapResultSchema>;
export const RunResultSchema = camelSchema(R.RunResultSchema);
export type RunResult = CamelOf<typeof R.RunResultSchema>;

export const WorkspaceSchema = camelSchema(R.WorkspaceSchema);
export type Workspace = CamelOf<typeof R.WorkspaceSchema>;
export const WorkspaceListSchema = camelSchema(R.WorkspaceListSchema);
export type WorkspaceList = CamelOf<typeof R.WorkspaceListSchema>;
export const WorkspaceDeleteSchema = camelSchema(R.WorkspaceDeleteSchema);
export type WorkspaceDelete = CamelOf<typeof R.WorkspaceDeleteSchema>;
export const WorkspaceForkSchema = camelSchema(R.WorkspaceForkSchema);
export type WorkspaceFork = CamelOf<typeof R.WorkspaceForkSchema>;
export const StopStartResultSchema = camelSchema(R.StopStartResultSchema);
export type StopStartResult = CamelOf<typeof R.StopStartResultSchema>;
export const WorkspaceExecResultSchema = camelSchema(R.WorkspaceExecResultSchema);
export type WorkspaceExecResult = CamelOf<typeof R.WorkspaceExecResultSchema>;
export const HistoryEntrySchema = camelSchema(R.HistoryEntrySchema);
export const WorkspaceLogsSchema = camelSchema(R.WorkspaceLogsSchema);
export type WorkspaceLogs = CamelOf<typeof R.WorkspaceLogsSchema>;
export const WorkspaceSummarySchema = camelSchema(R.WorkspaceSummarySchema);
export type WorkspaceSummary = CamelOf<typeof R.WorkspaceSummarySchema>;
export const SnapshotSchema = camelSchema(R.SnapshotSchema);
export type Snapshot = CamelOf<typeof R.SnapshotSchema>;
export const SnapshotListSchema = camelSchema(R.SnapshotListSchema);
export type SnapshotList = CamelOf<typeof R.SnapshotListSchema>;
export const SnapshotDeleteSchema = camelSchema(R.SnapshotDeleteSchema);
export type SnapshotDelete = CamelOf<typeof R.SnapshotDeleteSchema>;

export const SyncResultSchema = camelSchema(R.SyncResultSchema);
export type SyncResult = CamelOf<typeof R.SyncResultSchema>;
export const ExportResultSchema = camelSchema(R.ExportResultSchema);
export type ExportResult = CamelOf<typeof R.ExportResultSchema>;
export const DiffEntrySchema = camelSchema(R.DiffEntrySchema);
export const WorkspaceDiffSchema = camelSchema(R.WorkspaceDiffSchema);
export type WorkspaceDiffResult = CamelOf<typeof R.WorkspaceDiffSchema>;
export const FileEntrySchema = camelSchema(R.FileEntrySchema);
export const FileListSchema = camelSchema(R.FileListSchema);
export type FileList = CamelOf<typeof R.FileListSchema>;
export const FileReadSchema = camelSchema(R.FileReadSchema);
export type FileRead = CamelOf<typeof R.FileReadSchema>;
export const FileWriteSchema = camelSchema(R.FileWriteSchema);
export type FileWrite = CamelOf<typeof R.FileWriteSchema>;
export const PatchResultSchema = camelSchema(R.PatchResultSchema);
export type PatchResult = CamelOf<typeof R.PatchResultSchema>;
export const DiskListSchema = camelSchema(R.DiskListSchema);
export type DiskList = CamelOf<typeof R.DiskListSchema>;
export const DiskExportSchema = camelSchema(R.DiskExportSchema);
export type DiskExport = CamelOf<typeof R.DiskExportSchema>;

export const ShellSchema = camelSchema(R.ShellSchema);
export type Shell = CamelOf<typeof R.ShellSchema>;
export const ShellReadSchema = camelSchema(R.ShellReadSchema);
export type ShellRead = CamelOf<typeof R.ShellReadSchema>;
export const ShellWriteSchema = camelSchema(R.ShellWriteSchema);
export type ShellWrite = CamelOf<typeof R.ShellWriteSchema>;
export const ShellSignalSchema = camelSchema(R.ShellSignalSchema);
export type ShellSignal = CamelOf<typeof R.ShellSignalSchema>;
export const ShellListSchema = camelSchema(R.ShellListSchema);
export type ShellList = CamelOf<typeof R.ShellListSchema>;
export const ServiceSchema = camelSchema(R.ServiceSchema);
export type Service = CamelOf<typeof R.ServiceSchema>;
export const ServiceListSchema = camelSchema(R.ServiceListSchema);
export type ServiceList = CamelOf<typeof R.ServiceListSchema>;
export const ServiceLogsSchema = camelSchema(R.ServiceLogsSchema);
export type ServiceLogs = CamelOf<typeof R.ServiceLogsSchema>;
