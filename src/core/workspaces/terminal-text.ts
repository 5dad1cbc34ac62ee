/**
 * Renders raw PTY output as plain text with a real terminal emulator (@xterm/headless), so
 * `--plain` reads show what a user would see: no escape sequences, carriage returns and
 * cursor movement applied, colours dropped.
 */

/** Plain text of `raw` as rendered on a `cols`-wide terminal; trailing blank lines removed. */
export async function renderPlain(raw: string, cols: number): Promise<string> {
  // Loaded on first use: 80-100 ms of start-up that every other command would pay.
  const { default: xterm } = await import("@xterm/headless");
  const term = new xterm.Terminal({ cols, rows: 24, scrollback: 100_000, allowProposedApi: true });
  return new Promise((resolve) => {
    term.write(raw, () => {
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < buffer.length; i++) {
        const line = buffer.getLine(i);
        if (!line) continue;
        const text = line.translateToString(true);
        // A wrapped row continues the previous logical line.
        if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
        else lines.push(text);
      }
      term.dispose();
      resolve(lines.join("\n").replace(/\n+$/, ""));
    });
  });
}
