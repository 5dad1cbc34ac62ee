/**
 * The dependency rule of src/, checked by `npm run lint` (dependency-cruiser; docs/internals.md
 * "Layers"). Dependencies point one way:
 *
 *   cli, mcp  ->  sdk  ->  core  ->  supervisor, agent (the clients of the host supervisor and
 *   the guest agent)
 *
 * and every layer may import src/errors.ts and src/contract/ (schemas and closed value sets:
 * the lowest layer, which itself imports only errors.ts and libraries). src/index.ts is the
 * package entry; nothing under src/ imports it.
 *
 * A layer is entered through its public entry only (the other files are its internals):
 *   - mcp:  src/mcp/server.ts (createMcpServer, MCP_PROFILES)
 *   - sdk:  src/sdk/index.ts; the CLI may also load src/sdk/pyro.ts (the facade without the
 *           zod schemas) and src/sdk/case.ts (the zod-free key mapper) to keep start-up short
 *   - core, supervisor, agent: any module, but only from the layer right above (no skipping:
 *           cli/mcp reach core only through the SDK, the SDK reaches the clients only through core)
 *
 * test/unit/lint/dependency-rule.test.ts runs these rules on a small tree with a cycle, an
 * upward and a deep import and checks each is reported. Known violations waiting for a fix are
 * listed in .dependency-cruiser-known-violations.json (`npm run lint` ignores only those).
 */
const LAYER_ABOVE_CORE = "^src/(sdk|cli|mcp)/|^src/index\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles, type-only imports included: split the shared part into its own module.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-orphans",
      severity: "error",
      comment: "A module nothing imports is dead code (entries: src/index.ts, src/cli/main.ts).",
      from: { orphan: true, path: "^src/", pathNot: ["^src/index\\.ts$", "^src/cli/main\\.ts$", "\\.d\\.ts$"] },
      to: {},
    },
    {
      name: "errors-is-a-leaf",
      severity: "error",
      comment: "src/errors.ts is imported by every layer, so it imports nothing of src/.",
      from: { path: "^src/errors\\.ts$" },
      to: { path: "^src/" },
    },
    {
      name: "contract-is-lowest",
      severity: "error",
      comment: "src/contract/ may import only src/errors.ts, node and libraries.",
      from: { path: "^src/contract/" },
      to: { path: "^src/", pathNot: ["^src/contract/", "^src/errors\\.ts$"] },
    },
    {
      name: "clients-not-up",
      severity: "error",
      comment: "The supervisor and agent clients are below core: they must not import core or anything above.",
      from: { path: "^src/(supervisor|agent)/" },
      to: { path: `^src/core/|${LAYER_ABOVE_CORE}` },
    },
    {
      name: "supervisor-not-agent",
      severity: "error",
      comment: "The supervisor client does not depend on the guest agent's client.",
      from: { path: "^src/supervisor/" },
      to: { path: "^src/agent/" },
    },
    {
      name: "agent-uses-supervisor-answers-only",
      severity: "error",
      comment: "The agent client shares only the answer checks of src/supervisor/answers.ts.",
      from: { path: "^src/agent/" },
      to: { path: "^src/supervisor/", pathNot: "^src/supervisor/answers\\.ts$" },
    },
    {
      name: "core-not-up",
      severity: "error",
      comment: "core must not import the SDK, the CLI, MCP or the package entry.",
      from: { path: "^src/core/" },
      to: { path: LAYER_ABOVE_CORE },
    },
    {
      name: "sdk-not-up",
      severity: "error",
      comment: "The SDK must not import its faces (CLI, MCP) or the package entry.",
      from: { path: "^src/sdk/" },
      to: { path: "^src/(cli|mcp)/|^src/index\\.ts$" },
    },
    {
      name: "sdk-through-core",
      severity: "error",
      comment: "The SDK reaches the supervisor and agent clients only through core.",
      from: { path: "^src/sdk/" },
      to: { path: "^src/(supervisor|agent)/" },
    },
    {
      name: "faces-through-sdk",
      severity: "error",
      comment: "The CLI, MCP and the package entry reach core and the clients only through the SDK.",
      from: { path: "^src/(cli|mcp)/|^src/index\\.ts$" },
      to: { path: "^src/(core|supervisor|agent)/" },
    },
    {
      name: "mcp-not-cli",
      severity: "error",
      comment: "MCP and the CLI are sibling faces; only the CLI may start MCP.",
      from: { path: "^src/mcp/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "nothing-imports-cli",
      severity: "error",
      comment: "The CLI is the top of the graph: no other layer imports it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "nothing-imports-package-entry",
      severity: "error",
      comment: "src/index.ts is the package entry; modules import the layer they need instead.",
      from: { path: "^src/" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "mcp-entry",
      severity: "error",
      comment: "Outside src/mcp, MCP is imported through its public entry src/mcp/server.ts only.",
      from: { path: "^src/", pathNot: "^src/mcp/" },
      to: { path: "^src/mcp/", pathNot: "^src/mcp/server\\.ts$" },
    },
    {
      name: "sdk-entry",
      severity: "error",
      comment:
        "Outside src/sdk, the SDK is imported through src/sdk/index.ts (the CLI also through sdk/pyro.ts and sdk/case.ts, which load no zod).",
      from: { path: "^src/", pathNot: "^src/sdk/" },
      to: { path: "^src/sdk/", pathNot: "^src/sdk/(index|pyro|case)\\.ts$" },
    },
    {
      name: "commander-only-in-cli",
      severity: "error",
      comment: "Only the CLI parses argv.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "(^|/)node_modules/commander/" },
    },
    {
      name: "mcp-sdk-only-in-faces",
      severity: "error",
      comment: "The MCP SDK belongs to the MCP face (and the CLI/package entry that start it).",
      from: { path: "^src/(sdk|core|supervisor|agent|contract)/|^src/errors\\.ts$" },
      to: { path: "(^|/)node_modules/@modelcontextprotocol/" },
    },
    {
      name: "no-dev-dependencies",
      severity: "error",
      comment: "Shipped code must not import a devDependency (it is not installed for users).",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    cache: { folder: "node_modules/.cache/dependency-cruiser", strategy: "content" },
  },
};
