/**
 * Values the command declarations show in `--help` before any action runs. They are copies:
 * importing the SDK's own would load zod and all of core (about 0.3 s) for every `--help` and
 * usage error. test/unit/cli/defaults.test.ts fails when a copy drifts from the SDK value. Closed
 * value sets (`--profile`, `--network-policy`, `--signal`) are not copied: commands import them
 * from src/contract/choices.ts, which loads nothing.
 */

/** = the SDK's DEFAULT_VCPU_COUNT. */
export const DEFAULT_VCPU_COUNT = 1;
/** = the SDK's DEFAULT_MEM_MIB. */
export const DEFAULT_MEM_MIB = 1024;
/** = the SDK's DEFAULT_TIMEOUT_SECONDS. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** = the SDK's DEFAULT_TTL_SECONDS. */
export const DEFAULT_TTL_SECONDS = 600;
/** = the SDK's MAX_FORK_COUNT (`workspace fork --count`). */
export const MAX_FORK_COUNT = 8;
