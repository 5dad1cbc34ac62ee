/** The zod-free exec input check (src/sdk/exec-input.ts) against ExecWorkspaceInputSchema. */
import { describe, expect, it } from "vitest";
import { ExecWorkspaceInputSchema } from "../../../src/contract/workspace.js";
import { quickExecInput } from "../../../src/sdk/exec-input.js";
import { expectSound, mutations } from "../../support/fast-path.js";

const samples = [
  { workspaceId: "ws_0123456789ab", command: ["true"] },
  {
    workspaceId: "dev",
    command: ["sh", "-lc", "echo hi"],
    timeoutSeconds: 86_400,
    secretEnv: ["TOKEN", "A=B"],
  },
  { workspaceId: "dev", command: ["true"], timeoutSeconds: 1, secretEnv: [] },
  { workspaceId: "dev", command: "make test 2>&1 | tail -n 5" },
];

describe("quickExecInput", () => {
  it("takes what the CLI sends, with the schema's defaults", () => {
    for (const s of samples) expect(quickExecInput(s)).toEqual(ExecWorkspaceInputSchema.parse(s));
  });

  it("never disagrees with the schema", () => {
    const inputs = samples.flatMap(mutations);
    const extra = [
      ...[0, 86_401, 2.5, Number.NaN, "30"].map((t) => ({ ...samples[0], timeoutSeconds: t })),
      ...[["1BAD"], ["A=1"], [""], ["a".repeat(65)], [7]].map((e) => ({ ...samples[0], secretEnv: e })),
      { ...samples[0], command: [] },
      { ...samples[0], command: ["ok", 1] },
      ...["", " ", "\n\t", "x", " ls ", '["a"]', "[]", '["a", 2]', "[ -f x ]"].map((command) => ({
        ...samples[0],
        command,
      })),
      null,
      [],
      "ws",
    ];
    expect(expectSound(ExecWorkspaceInputSchema, quickExecInput, [...inputs, ...extra])).toBeGreaterThan(3);
  });

  it("runs a string command as sh -lc STRING and an argv as given", () => {
    expect(quickExecInput({ workspaceId: "dev", command: "echo $HOME | wc -c" })?.command).toEqual([
      "sh",
      "-lc",
      "echo $HOME | wc -c",
    ]);
    expect(quickExecInput({ workspaceId: "dev", command: ["echo", "$HOME"] })?.command).toEqual([
      "echo",
      "$HOME",
    ]);
  });

  it("declines every invalid input, so the schema reports it", () => {
    for (const bad of [
      { command: ["true"] },
      { workspaceId: "", command: ["true"] },
      { ...samples[0], x: 1 },
      { ...samples[0], command: "   " },
    ]) {
      expect(quickExecInput(bad)).toBeUndefined();
    }
  });
});
