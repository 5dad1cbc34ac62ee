/** Every operation schema, for the MCP server and other faces (one contract source). */
export * from "./common.js";
export * from "./environment.js";
export * from "./run.js";
export * from "./runtime.js";
export * from "./vm.js";
export * from "./workspace.js";
