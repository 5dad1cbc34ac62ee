/**
 * The contract, the lowest layer (zod, node and src/errors.ts only): operation input schemas
 * (camelCase, as the SDK takes them) and, under `records`, every record and result schema
 * (snake_case, as `--json` and MCP emit them; the SDK returns them through `toCamel`).
 */
export * from "./common.js";
export * from "./environment.js";
export * as records from "./records/index.js";
export * from "./run.js";
export * from "./runtime.js";
export * from "./vm.js";
export * from "./workspace.js";
