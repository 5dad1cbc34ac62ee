/** `pyro host VERB CLIENT`: builds the onramp options from this process, calls the SDK module, renders. */
import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { type HostClient, type HostScope, MCP_PROFILES, type McpProfile } from "../../contract/choices.js";
import { toSnake } from "../../sdk/case.js";
import type {
  ConfigChange,
  DoctorResult,
  OnrampOptions,
  PrintedConfig,
  RepairResult,
} from "../../sdk/index.js";
import type { CliContext } from "../context.js";

/** The four verbs of `pyro host`. */
export type HostVerb = "print-config" | "connect" | "doctor" | "repair";

/** Flags of every verb (commander checks the choices). */
export interface HostFlags {
  scope: HostScope;
  profile?: McpProfile;
  dryRun?: boolean;
  json: boolean;
}

/**
 * How a client should start this pyro: this Node binary and the real path of the running CLI
 * script (a `pyro` link on PATH resolves to it), so the entry works without the user's PATH.
 */
function thisPyro(): OnrampOptions["launcher"] {
  return { command: process.execPath, args: [realpathSync(process.argv[1] as string)] };
}

function renderChange(r: ConfigChange): string {
  if (!r.changed) return `${r.path}: the pyro entry is already as wanted (${r.client}, ${r.scope} scope)\n`;
  if (r.dryRun) return r.diff;
  return `wrote the pyro entry to ${r.path} (${r.client}, ${r.scope} scope)${r.backupPath ? `; previous file: ${r.backupPath}` : ""}\n`;
}

function renderDoctor(r: DoctorResult): string {
  const head = `${r.client} (${r.scope} scope) ${r.path}: ${r.ok ? "OK" : `${r.problems.length} problem(s)`}\n`;
  return (
    head +
    r.problems
      .map((p) => `problem[${p.code}]: ${p.message}\nhint: ${p.hint.replace("CLIENT", r.client)}\n`)
      .join("")
  );
}

function renderRepair(r: RepairResult): string {
  const fixed = r.fixed.length > 0 ? `fixed: ${r.fixed.join(", ")}\n` : "";
  const left = r.problems.map((p) => `problem[${p.code}]: ${p.message}\n`).join("");
  return `${renderChange(r)}${fixed}${left}`;
}

export async function host(
  ctx: CliContext,
  verb: HostVerb,
  client: HostClient,
  flags: HostFlags,
): Promise<void> {
  const sdk = await import("../../sdk/index.js");
  const options: OnrampOptions = {
    client,
    scope: flags.scope,
    profile: flags.profile,
    launcher: thisPyro(),
    // Claude Code's local scope and every project scope are keyed by this directory.
    ctx: {
      home: homedir(),
      cwd: process.cwd(),
      codexHome: process.env.CODEX_HOME || undefined,
      xdgConfigHome: process.env.XDG_CONFIG_HOME || undefined,
      path: process.env.PATH,
    },
    profiles: MCP_PROFILES,
    dryRun: flags.dryRun,
  };
  let result: PrintedConfig | ConfigChange | DoctorResult | RepairResult;
  let text: string;
  switch (verb) {
    case "print-config": {
      const r = await sdk.printConfig(options);
      [result, text] = [r, r.text];
      process.stderr.write(`# ${r.client} reads this from ${r.path} (format: ${r.docs})\n`);
      break;
    }
    case "connect": {
      const r = await sdk.connectClient(options);
      [result, text] = [r, renderChange(r)];
      break;
    }
    case "doctor": {
      const r = await sdk.doctorClient(options);
      [result, text] = [r, renderDoctor(r)];
      ctx.exitCode = r.ok ? 0 : 1;
      break;
    }
    case "repair": {
      const r = await sdk.repairClient(options);
      [result, text] = [r, renderRepair(r)];
      ctx.exitCode = r.problems.length === 0 ? 0 : 1;
      break;
    }
  }
  if (flags.json) {
    // The entry is the client's own object (env names, its keys): printed verbatim, not snake_cased.
    const { entry, ...rest } = result;
    process.stdout.write(`${JSON.stringify({ ...(toSnake(rest) as object), entry }, null, 2)}\n`);
  } else {
    process.stdout.write(text);
  }
}
