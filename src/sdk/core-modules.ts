/**
 * The core modules behind `Pyro`'s methods, each loaded when first called with the modules
 * only it uses: exec's hot path (core/workspaces/workspace-exec.ts, imported statically by
 * pyro.ts) reaches neither zod nor another operation's code.
 */
export const environments = () => import("../core/environments/api.js");
export const vmApi = () => import("../core/vm-api.js");
export const lifecycle = () => import("../core/workspaces/lifecycle.js");
export const files = () => import("../core/workspaces/files.js");
export const snapshots = () => import("../core/workspaces/snapshots.js");
export const shells = () => import("../core/workspaces/shell-api.js");
export const services = () => import("../core/workspaces/service-api.js");
export const offlineDisk = () => import("../core/workspaces/offline-disk.js");
export const summary = () => import("../core/workspaces/summary.js");
