/** Shared zod fragments. Each `.describe()` gives the unit and default (docs/public-contract.md). */
import { z } from "zod";
import {
  COMMAND_STRING_RE,
  commandArgv,
  DEFAULT_DISK_MIB,
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
  MAX_TIMEOUT_SECONDS,
} from "./defaults.js";

export {
  DEFAULT_DISK_MIB,
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
};

/** Upper bound matches the guest kernel's CONFIG_NR_CPUS. */
export const MAX_VCPU_COUNT = 8;

export const EnvironmentName = z
  .string()
  .min(1)
  .describe('Environment name, e.g. "debian:12" (see listEnvironments)');

export const VcpuCount = z
  .number()
  .int()
  .min(1)
  .max(MAX_VCPU_COUNT)
  .default(DEFAULT_VCPU_COUNT)
  .describe(`Virtual CPUs, 1-${MAX_VCPU_COUNT}. Default ${DEFAULT_VCPU_COUNT}.`);

export const MemMib = z
  .number()
  .int()
  .min(128)
  .max(65536)
  .default(DEFAULT_MEM_MIB)
  .describe(`Guest memory in MiB, 128-65536. Default ${DEFAULT_MEM_MIB}.`);

export const DiskMib = z
  .number()
  .int()
  .min(1024)
  .max(1_048_576)
  .default(DEFAULT_DISK_MIB)
  .describe(
    `Workspace disk size in MiB, at least the environment image's size (2048 for the catalog) and at most 1048576. Default ${DEFAULT_DISK_MIB}. Sparse: the host stores only what the guest writes.`,
  );

export const TimeoutSeconds = z
  .number()
  .int()
  .min(1)
  .max(MAX_TIMEOUT_SECONDS)
  .default(DEFAULT_TIMEOUT_SECONDS)
  .describe(
    `Command time limit in seconds; the whole process group is killed after it. Default ${DEFAULT_TIMEOUT_SECONDS}.`,
  );

export const TtlSeconds = z
  .number()
  .int()
  .min(1)
  .max(30 * 86_400)
  .default(DEFAULT_TTL_SECONDS)
  .describe(`Idle time in seconds after which the VM is reaped. Default ${DEFAULT_TTL_SECONDS}.`);

/**
 * A command: an argv array, run as given (argument boundaries kept), or one string, run as
 * `sh -lc STRING`. Parsed to the argv that runs ({@link commandArgv}).
 */
export const Command = z
  .union(
    [z.array(z.string()).min(1), z.string().regex(COMMAND_STRING_RE, "a command string must not be blank")],
    { error: "expected an argv array of strings or one command string" },
  )
  .describe(
    'The command: an argv array, run as given with argument boundaries kept (e.g. ["python3", "-m", "pytest"]), or one string, run as `sh -lc STRING` for pipes and shell syntax (e.g. "make test 2>&1 | tail -n 50"). A string holding a JSON array of strings is taken as that argv. The recorded command is the argv that ran: a shell string shows as ["sh", "-lc", STRING].',
  )
  .transform(commandArgv);

export const VmId = z.string().min(1).describe("VM id as returned by createVm (vm_ + 12 hex digits)");

/** Bounds of `maxPids`: room for a shell pipeline, up to the kernel's PID_MAX_LIMIT. */
export const MIN_MAX_PIDS = 16;
export const MAX_MAX_PIDS = 4_194_304;

export const MaxPids = z
  .number()
  .int()
  .min(MIN_MAX_PIDS)
  .max(MAX_MAX_PIDS)
  .describe(
    `Process cap per command: pids.max of each exec, shell and service cgroup in the guest (threads count too), ${MIN_MAX_PIDS}-${MAX_MAX_PIDS}. Default derived from memMib: min(4096, half of the guest's cap for all user work), 3570 at 1024 MiB.`,
  );
