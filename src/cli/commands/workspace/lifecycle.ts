/** `pyro workspace create|list|update|status|logs|delete`. */
import { Command } from "commander";
import { NETWORK_POLICIES } from "../../../contract/choices.js";
import type { CreateFlags, LabelFlags, UpdateFlags } from "../../actions/workspace/lifecycle.js";
import type { CliContext } from "../../context.js";
import { DEFAULT_MEM_MIB, DEFAULT_TTL_SECONDS, DEFAULT_VCPU_COUNT } from "../../defaults.js";
import { choiceOption, intOption, plainOnlyOption, withJson } from "../../flags.js";
import { collect, collectLabel, secretCollector } from "./options.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/lifecycle.js");

export function createCommand(ctx: CliContext): Command {
  return withJson(
    new Command("create")
      .description("create and boot a persistent workspace (returns once the seed is imported)")
      .argument("<environment>", 'environment name, e.g. "debian:12"')
      .option("--vcpu-count <n>", "virtual CPUs", intOption("--vcpu-count"), DEFAULT_VCPU_COUNT)
      .option("--mem-mib <n>", "guest memory in MiB", intOption("--mem-mib"), DEFAULT_MEM_MIB)
      .option(
        "--ttl-seconds <n>",
        "idle seconds before it is paused (or deleted: --ttl-action)",
        intOption("--ttl-seconds"),
        DEFAULT_TTL_SECONDS,
      )
      .addOption(
        choiceOption(
          "--ttl-action <action>",
          "what the idle TTL does",
          ["pause", "delete"] as const,
          "pause",
        ),
      )
      .option("--no-auto-resume", "exec, shell and service calls on it when paused fail (workspace_paused)")
      .addOption(choiceOption("--network-policy <policy>", "guest network", NETWORK_POLICIES, "off"))
      .option("--seed-path <path>", "host directory or .tar/.tar.gz/.tgz to import into /workspace")
      .option(
        "--project-path <dir>",
        "seed from the git repository containing DIR: tracked and untracked-but-not-ignored files (no .git)",
      )
      .option("--repo-url <url>", "seed from a clone of a git repository (URL, file:// or local path)")
      .option(
        "--repo-ref <ref>",
        "with --repo-url: branch, tag or commit to seed (default: its default branch)",
      )
      .option("--name <name>", "a unique, human name")
      .option("--label <key=value>", "a label (repeatable)", collectLabel)
      .option(
        "--secret <name=value>",
        "a secret for /run/pyro-secrets and --secret-env (repeatable; visible in ps, prefer --secret-file)",
        secretCollector("--secret"),
      )
      .option(
        "--secret-file <name=path>",
        "a secret read from a host file (repeatable)",
        secretCollector("--secret-file"),
      )
      .option(
        "--max-pids <n>",
        "process cap per command, threads included (default derived from --mem-mib)",
        intOption("--max-pids"),
      )
      .option(
        "--disk-mib <n>",
        "disk size in MiB, sparse: the host stores only what is written (default 8192)",
        intOption("--disk-mib"),
      )
      .option("--cold", "boot the kernel instead of restoring a VM template", false)
      .addOption(plainOnlyOption("--id-only", "print only the workspace id")),
  ).action(async (environment: string, f: CreateFlags) =>
    (await actions()).createWorkspace(ctx, environment, f),
  );
}

export function listCommand(ctx: CliContext): Command {
  return withJson(
    new Command("list")
      .description("all workspaces: name, labels, state, last activity, expiry, services")
      .option("--label <key=value>", "only workspaces with this label (repeatable)", collectLabel),
  ).action(async (f: LabelFlags) => (await actions()).listWorkspaces(ctx, f));
}

export function updateCommand(ctx: CliContext): Command {
  return withJson(
    new Command("update")
      .description("rename or relabel a workspace")
      .argument("<workspace>")
      .option("--name <name>", "new name")
      .option("--label <key=value>", "set a label (repeatable)", collectLabel)
      .option("--clear-label <key>", "remove a label (repeatable)", collect),
  ).action(async (workspace: string, f: UpdateFlags) => (await actions()).updateWorkspace(ctx, workspace, f));
}

export function statusCommand(ctx: CliContext): Command {
  return withJson(
    new Command("status").description("state, resources, seed, counts").argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).statusWorkspace(ctx, workspace, f));
}

export function logsCommand(ctx: CliContext): Command {
  return withJson(
    new Command("logs").description("command history with exit codes and output").argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).logsWorkspace(ctx, workspace, f));
}

export function deleteCommand(ctx: CliContext): Command {
  return withJson(
    new Command("delete").description("destroy the VM and all its state").argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).deleteWorkspace(ctx, workspace, f));
}
