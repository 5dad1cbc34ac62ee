/**
 * Contract defaults shared by the zod schemas (common.ts re-exports them) and the
 * zod-free fast paths, which must not load zod to know them.
 */

/** Virtual CPUs of a new VM or workspace. */
export const DEFAULT_VCPU_COUNT = 1;
/** Guest memory of a new VM or workspace, in MiB. */
export const DEFAULT_MEM_MIB = 1024;
/** Workspace disk size in MiB (sparse: the host stores only what the guest writes). */
export const DEFAULT_DISK_MIB = 8192;
/** Command time limit, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Idle time before a VM or workspace is reaped, in seconds. */
export const DEFAULT_TTL_SECONDS = 600;
/** Largest command time limit, in seconds (one day). */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** `NAME` or `NAME=ENV_VAR` of `secretEnv` (the schema and the exec fast path share it). */
export const SECRET_ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}(=[A-Za-z_][A-Za-z0-9_]*)?$/;
