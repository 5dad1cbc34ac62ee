/**
 * Closed value sets and exclusive flags are checked while commander parses, before any action
 * (or the SDK) loads: `--profile`, `--network-policy` and `--signal` accept exactly the values of
 * src/contract/choices.ts, and `--json` with `--id-only` or `--content-only` is refused. The
 * refusal is printed as one `error[usage]` line (plus the hint), exit status 2.
 */
import { type Command, CommanderError, type Option } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createContext } from "../../../src/cli/context.js";
import { printParseError } from "../../../src/cli/errors.js";
import { buildProgram } from "../../../src/cli/program.js";
import { MCP_PROFILES, NETWORK_POLICIES, SHELL_SIGNALS } from "../../../src/contract/choices.js";
import { captureOutput } from "../../support/capture-output.js";

/** The real command tree with every action replaced by one that records its options. */
function stubbedProgram(ran: { opts?: Record<string, unknown> }): Command {
  const program = buildProgram(createContext(undefined, new AbortController().signal));
  const stub = (cmd: Command): void => {
    if (cmd.commands.length === 0) {
      cmd.action((...args: unknown[]) => {
        ran.opts = (args.at(-1) as Command).opts();
      });
    }
    for (const sub of cmd.commands) stub(sub);
  };
  stub(program);
  return program;
}

/** Parses `argv`: the options the action got, or the CommanderError that stopped parsing. */
async function parse(argv: string[]): Promise<Record<string, unknown> | CommanderError> {
  const ran: { opts?: Record<string, unknown> } = {};
  try {
    await stubbedProgram(ran).parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  if (!ran.opts) throw new Error(`no action ran for ${argv.join(" ")}`);
  return ran.opts;
}

function option(path: string[], long: string): Option {
  let cmd = buildProgram(createContext(undefined, new AbortController().signal));
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
  return cmd.options.find((o) => o.long === long)!;
}

const CHOICE_FLAGS = [
  {
    flag: "--profile",
    path: ["mcp", "serve"],
    argv: ["mcp", "serve"],
    choices: MCP_PROFILES,
    fallback: "workspace-core",
  },
  {
    flag: "--network-policy",
    path: ["workspace", "create"],
    argv: ["workspace", "create", "debian:12"],
    choices: NETWORK_POLICIES,
    fallback: "off",
  },
  {
    flag: "--signal",
    path: ["workspace", "shell", "signal"],
    argv: ["workspace", "shell", "signal", "ws", "sh_1"],
    choices: SHELL_SIGNALS,
    fallback: "INT",
  },
] as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(CHOICE_FLAGS)("$flag", ({ flag, path, argv, choices, fallback }) => {
  it("offers exactly the contract's values, with the SDK's default", () => {
    const opt = option([...path], flag);
    expect(opt.argChoices).toEqual([...choices]);
    expect(opt.defaultValue).toBe(fallback);
  });

  it("passes every choice through, and the default when absent", async () => {
    const key = opt(flag);
    for (const value of choices) expect(await parse([...argv, flag, value])).toMatchObject({ [key]: value });
    expect(await parse([...argv])).toMatchObject({ [key]: fallback });
  });

  it("refuses any other value while parsing, naming the choices", async () => {
    const err = await parse([...argv, flag, "bogus"]);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe("commander.invalidArgument");
    expect((err as CommanderError).message).toContain(`Allowed choices are ${choices.join(", ")}.`);
  });
});

/** Commander's attribute name of a long flag: `--network-policy` -> `networkPolicy`. */
function opt(flag: string): string {
  return flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

describe.each([
  { only: "--id-only", argv: ["workspace", "create", "debian:12"] },
  { only: "--id-only", argv: ["workspace", "shell", "open", "ws"] },
  { only: "--content-only", argv: ["workspace", "file", "read", "ws", "a.txt"] },
  { only: "--content-only", argv: ["workspace", "disk", "read", "ws", "a.txt"] },
])("$argv.1 $argv.2 $only", ({ only, argv }) => {
  it("is refused together with --json, in either order", async () => {
    for (const flags of [
      ["--json", only],
      [only, "--json"],
    ]) {
      const err = await parse([...argv, ...flags]);
      expect(err).toBeInstanceOf(CommanderError);
      expect((err as CommanderError).code).toBe("commander.conflictingOption");
    }
  });

  it("works alone, and --json works alone", async () => {
    expect(await parse([...argv, only])).toMatchObject({ [opt(only)]: true, json: false });
    expect(await parse([...argv, "--json"])).toMatchObject({ [opt(only)]: false, json: true });
  });
});

describe("printParseError", () => {
  it("prints --json with --id-only as one usage line on stderr, exit 2, even under --json", async () => {
    const refused = await parse(["workspace", "create", "debian:12", "--json", "--id-only"]);
    const { out, err } = captureOutput();
    expect(await printParseError(refused as CommanderError, true, false)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toBe(
      "error[usage]: option '--id-only' cannot be used with option '--json'\nhint: see `pyro --help`\n",
    );
  });

  it("prints a value outside the choices as a usage error, exit 2 (JSON under --json)", async () => {
    const bad = await parse(["workspace", "shell", "signal", "ws", "sh_1", "--signal", "USR1"]);
    const { out, err } = captureOutput();
    expect(await printParseError(bad as CommanderError, false, false)).toBe(2);
    expect(err.join("")).toBe(
      "error[usage]: option '--signal <name>' argument 'USR1' is invalid. Allowed choices are HUP, INT, TERM, KILL.\nhint: see `pyro --help`\n",
    );
    expect(await printParseError(bad as CommanderError, true, false)).toBe(2);
    expect(JSON.parse(out.join(""))).toMatchObject({ error: { code: "usage" } });
  });
});
