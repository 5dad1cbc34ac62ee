/**
 * Every `pyro ...` command line in a fenced shell block of README.md and docs/*.md parses
 * against the real commander tree (`buildProgram`, actions replaced by no-ops): the command
 * exists, every flag exists and takes what it is given, positional counts fit, and commands
 * that run a guest command have one after `--`. No VM boots and nothing runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { type Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { createContext } from "../../src/cli/context.js";
import { buildProgram, splitArgv } from "../../src/cli/program.js";
import { fencedBlocks, pyroInvocations, shellBlocks } from "../support/markdown-commands.js";

const root = new URL("../../", import.meta.url);
const DOC_FILES = [
  "README.md",
  ...readdirSync(new URL("docs/", root))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** Parses one pyro argv; returns why it is not a valid command line, or undefined when it is. */
async function check(argv: string[]): Promise<string | undefined> {
  const { cliArgv, guestArgv } = splitArgv(argv);
  const program = buildProgram(createContext(guestArgv, new AbortController().signal));
  let ran: Command | undefined;
  const stub = (cmd: Command): void => {
    cmd.configureOutput({
      writeOut: () => undefined,
      writeErr: () => undefined,
      outputError: () => undefined,
    });
    if (cmd.commands.length === 0) {
      cmd.action((...args: unknown[]) => {
        ran = args.at(-1) as Command;
      });
    }
    for (const sub of cmd.commands) stub(sub);
  };
  stub(program);
  try {
    await program.parseAsync(cliArgv, { from: "user" });
  } catch (err) {
    if (
      err instanceof CommanderError &&
      ["commander.helpDisplayed", "commander.version"].includes(err.code)
    ) {
      return undefined;
    }
    return err instanceof Error ? err.message : String(err);
  }
  if (!ran) return "names a command group, not a command";
  if (ran.usage().includes("-- CMD") && !guestArgv?.length) return "needs a guest command after --";
  return undefined;
}

interface Found {
  file: string;
  line: string;
  argv: string[];
}

function documentedCommands(): Found[] {
  return DOC_FILES.flatMap((file) =>
    shellBlocks(readFileSync(new URL(file, root), "utf8")).flatMap((block) =>
      block.lines.flatMap((line) => pyroInvocations(line).map((argv) => ({ file, line, argv }))),
    ),
  );
}

describe("pyro command lines in README.md and docs/*.md", () => {
  const found = documentedCommands();

  it("finds the documented commands", () => {
    const seen = new Set(found.map((f) => f.argv.slice(0, 2).join(" ")));
    expect(found.length).toBeGreaterThan(30);
    for (const command of ["run debian:12", "workspace create", "workspace exec", "mcp serve", "doctor"]) {
      expect(seen, command).toContain(command);
    }
    for (const file of ["README.md", "docs/first-run.md", "docs/install.md", "docs/integrations.md"]) {
      expect(
        found.some((f) => f.file === file),
        file,
      ).toBe(true);
    }
  });

  it("tags every fenced block with its language, so no shell block is skipped", () => {
    const untagged = DOC_FILES.flatMap((file) =>
      fencedBlocks(readFileSync(new URL(file, root), "utf8"))
        .filter((b) => b.lang === "")
        .map((b) => `${file}: block under "${b.heading}"`),
    );
    expect(untagged, "use ```bash for commands, ```text for diagrams").toEqual([]);
  });

  it("every one parses against the real CLI", async () => {
    const bad: string[] = [];
    for (const { file, line, argv } of found) {
      const why = await check(argv);
      if (why) bad.push(`${file}: \`${line.trim()}\`: ${why}`);
    }
    expect(bad).toEqual([]);
  });
});

describe("the doc command check itself", () => {
  const verdict = async (line: string) => Promise.all(pyroInvocations(line).map((argv) => check(argv)));

  it("accepts valid lines, also inside $(...), pipelines, && chains and client registrations", async () => {
    expect(await verdict("ws=$(pyro workspace create debian:12 --name demo --id-only)")).toEqual([undefined]);
    expect(
      await verdict("pyro workspace stop demo && pyro workspace disk list demo --recursive # c"),
    ).toEqual([undefined, undefined]);
    expect(await verdict("pyro run debian:12 --json -- uname -r 2>&1 | head -1")).toEqual([undefined]);
    expect(
      await verdict("claude mcp add pyro -- node /ABS/PATH/dist/cli/main.js mcp serve --profile vm-run"),
    ).toEqual([undefined]);
    expect(await verdict("pyro workspace --help")).toEqual([undefined]);
  });

  it("refuses unknown commands and flags, bad values, extra arguments and a missing -- CMD", async () => {
    const [bogusFlag] = await verdict("pyro run debian:12 --bogus -- true");
    expect(bogusFlag).toMatch(/unknown option '--bogus'/);
    const [bogusCommand] = await verdict("pyro workspace frobnicate ws");
    expect(bogusCommand).toMatch(/unknown command 'frobnicate'/);
    const [notANumber] = await verdict("pyro run debian:12 --mem-mib lots -- true");
    expect(notANumber).toMatch(/--mem-mib expects a whole number/);
    const [noDashDash] = await verdict("pyro workspace exec ws echo hi");
    expect(noDashDash).toMatch(/too many arguments/);
    const [noCommand] = await verdict("pyro run debian:12");
    expect(noCommand).toBe("needs a guest command after --");
    const [group] = await verdict("pyro workspace snapshot");
    expect(group).toBeDefined();
  });
});
