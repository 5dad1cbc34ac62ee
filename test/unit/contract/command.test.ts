/** `command` of run, VM exec, workspace exec and service start: an argv array or one string. */
import { describe, expect, it } from "vitest";
import { commandArgv } from "../../../src/contract/defaults.js";
import { RunInputSchema } from "../../../src/contract/run.js";
import { StartServiceInputSchema } from "../../../src/contract/runtime.js";
import { ExecVmInputSchema } from "../../../src/contract/vm.js";
import { ExecWorkspaceInputSchema } from "../../../src/contract/workspace.js";

const cases = [
  ["run", RunInputSchema, { environment: "debian:12" }],
  ["execVm", ExecVmInputSchema, { vmId: "vm_0123456789ab" }],
  ["execWorkspace", ExecWorkspaceInputSchema, { workspaceId: "dev" }],
  ["startService", StartServiceInputSchema, { workspaceId: "dev", serviceName: "web" }],
] as const;

describe.each(cases)("%s command", (_name, schema, rest) => {
  const parse = (command: unknown) => schema.safeParse({ ...rest, command });

  it("runs an argv array as given, boundaries kept", () => {
    expect(parse(["printf", "%s\n", "a b"]).data?.command).toEqual(["printf", "%s\n", "a b"]);
  });

  it("runs a string as sh -lc STRING", () => {
    expect(parse("ls | wc -l && echo 'a b'").data?.command).toEqual([
      "sh",
      "-lc",
      "ls | wc -l && echo 'a b'",
    ]);
  });

  it("takes a string holding a JSON array of strings as that argv (form-filling clients send text)", () => {
    expect(parse('["cat", "a b.txt"]').data?.command).toEqual(["cat", "a b.txt"]);
    expect(parse(' ["x"]').data?.command).toEqual(["x"]);
    // Not a non-empty array of strings: a shell command like any other.
    for (const text of ["[]", '["a", 1]', "[ -f x ] && echo y", "[broken"]) {
      expect(parse(text).data?.command).toEqual(["sh", "-lc", text]);
    }
  });

  it("refuses an empty argv, a blank string and other types, naming command", () => {
    for (const bad of [[], "", "  \n", 7, null, undefined, [1], { argv: ["x"] }]) {
      const parsed = parse(bad);
      expect(parsed.success, JSON.stringify(bad)).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["command"]);
    }
    expect(parse(undefined).error?.issues[0]?.message).toBe(
      "expected an argv array of strings or one command string",
    );
  });
});

describe("commandArgv", () => {
  it("copies an argv so the caller's array is never shared", () => {
    const argv = ["true"];
    expect(commandArgv(argv)).not.toBe(argv);
    expect(commandArgv(argv)).toEqual(["true"]);
    expect(commandArgv("true")).toEqual(["sh", "-lc", "true"]);
  });
});
