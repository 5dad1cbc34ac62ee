import { describe, expect, it } from "vitest";
import { renderPlain } from "../../../../src/core/workspaces/terminal-text.js";

describe("renderPlain", () => {
  it("drops colours and bracketed-paste toggles", async () => {
    expect(await renderPlain("\x1b[?2004hroot@pyro:/workspace# ls\r\n\x1b[01;34msub\x1b[0m\r\n", 80)).toBe(
      "root@pyro:/workspace# ls\nsub",
    );
  });
  it("applies carriage returns and erases like a terminal", async () => {
    expect(await renderPlain("progress 10%\rprogress 100%\r\n", 80)).toBe("progress 100%");
    expect(await renderPlain("abc\b\x1b[K\r\n", 80)).toBe("ab");
  });
  it("joins rows the terminal wrapped", async () => {
    expect(await renderPlain(`${"x".repeat(30)}\r\n`, 10)).toBe("x".repeat(30));
  });
});
