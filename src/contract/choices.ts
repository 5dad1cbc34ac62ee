/**
 * The closed value sets of the public contract, each declared once: the SDK schemas build
 * their enums from them and the CLI offers them as `Option.choices()`, so a value the CLI
 * accepts is one the SDK accepts. Plain arrays with no imports: the CLI's command tree loads
 * this file on every start, before (and usually without) zod.
 */

/** Tool sets served by `pyro mcp serve --profile` and `createMcpServer` (docs/integrations.md). */
export const MCP_PROFILES = ["vm-run", "workspace-core", "workspace-full"] as const;

/** One of {@link MCP_PROFILES}. @default "workspace-core" */
export type McpProfile = (typeof MCP_PROFILES)[number];

/**
 * A workspace's guest network: `off` (no NIC), `egress` (outbound NAT) or
 * `egress+published-ports` (egress plus host ports forwarded to services).
 */
export const NETWORK_POLICIES = ["off", "egress", "egress+published-ports"] as const;

/** One of {@link NETWORK_POLICIES}. @default "off" */
export type NetworkPolicyName = (typeof NETWORK_POLICIES)[number];

/** Signals a shell's foreground process group may be sent (`shell signal`). @default "INT" */
export const SHELL_SIGNALS = ["HUP", "INT", "TERM", "KILL"] as const;

/** One of {@link SHELL_SIGNALS}. */
export type ShellSignal = (typeof SHELL_SIGNALS)[number];

/** MCP clients `pyro host` configures (docs/integrations.md). */
export const HOST_CLIENTS = ["claude-code", "codex", "opencode"] as const;

/** One of {@link HOST_CLIENTS}. */
export type HostClient = (typeof HOST_CLIENTS)[number];

/**
 * Where `pyro host` puts a client's entry: the user's global config, the project's, or
 * (Claude Code only) the user's own entry for this project. @default "user"
 */
export const HOST_SCOPES = ["user", "project", "local"] as const;

/** One of {@link HOST_SCOPES}. */
export type HostScope = (typeof HOST_SCOPES)[number];
