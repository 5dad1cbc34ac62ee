import { describe, expect, it } from "vitest";
import { guestPath } from "../../../../src/core/workspaces/guest-files.js";

describe("guestPath", () => {
  it.each([
    ["/workspace", "."],
    ["/workspace/", "."],
    [".", "."],
    ["a/b.txt", "a/b.txt"],
    ["/workspace/a/../b", "b"],
    ["./x/", "x"],
  ])("%s -> %s", (input, rel) => {
    expect(guestPath(input)).toBe(rel);
  });
  it.each(["/etc/passwd", "..", "../x", "/workspace/../etc", "/workspacex/a", "a/../../b"])(
    "refuses %s",
    (input) => {
      expect(() => guestPath(input)).toThrow(expect.objectContaining({ code: "path_outside_workspace" }));
    },
  );
});
