/** Every record and result schema, snake_case: the JSON the CLI (`--json`) and MCP emit. */
export * from "./doctor.js";
export * from "./environment.js";
export * from "./files.js";
export * from "./runtime.js";
export * from "./summary.js";
export * from "./vm.js";
export * from "./workspace.js";
export * from "./workspace-record.js";
