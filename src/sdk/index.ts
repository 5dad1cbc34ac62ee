/** Public entry of the `pyro-mcp` package: explicit named exports only. */
export { Pyro, type PyroOptions, type RunHooks } from "./pyro.js";
export { PyroError, InvalidArgumentError, TimeoutError, ERROR_CODES, type ErrorCode } from "../errors.js";
export type { RunInput, RunResult } from "./schemas/run.js";
export type { Environment, EnvironmentList, PullResult, PruneResult } from "./schemas/environment.js";
export type { CreateVmInput, ExecVmInput, Vm, VmExecResult } from "./schemas/vm.js";
export type { PullProgress, PullPhase } from "../core/environments/progress.js";
export type { DoctorReport } from "../core/doctor.js";
export type { RunPhase } from "../core/run.js";
export { toSnake, toCamel } from "./case.js";
export {
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
} from "./schemas/common.js";
