/**
 * `pyro` command lines shown in Markdown: fenced shell blocks are split into logical lines
 * (backslash continuations joined), each line is tokenized by shell-quote, and every simple
 * command that runs pyro yields its argv. Shared by the doc parse check (unit) and the README
 * tour run (integration).
 */
import { parse } from "shell-quote";

/** Info strings of fenced blocks that hold shell commands. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(["bash", "sh", "shell", "console"]);

export interface FencedBlock {
  /** The info string (`bash`, `json`, ...); "" for an untagged fence. */
  lang: string;
  /** The nearest heading above the block (without `#`s), "" before the first heading. */
  heading: string;
  /** Logical lines: backslash continuations joined, blank lines dropped. */
  lines: string[];
}

/** Fenced code blocks of `markdown`, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let heading = "";
  let fence: { lang: string; body: string[] } | undefined;
  for (const line of markdown.split("\n")) {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        const lines = fence.body
          .join("\n")
          .replace(/\\\n\s*/g, " ")
          .split("\n")
          .filter((l) => l.trim() !== "");
        blocks.push({ lang: fence.lang, heading, lines });
        fence = undefined;
      } else {
        fence.body.push(line);
      }
      continue;
    }
    const open = /^```(\S*)/.exec(line);
    if (open) fence = { lang: open[1] ?? "", body: [] };
    else if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "").trim();
  }
  return blocks;
}

/**
 * The fenced shell blocks of `markdown` ({@link SHELL_LANGUAGES}). In a `console` block
 * (a transcript) only the `$ `-prompted lines are commands; the prompt is removed.
 */
export function shellBlocks(markdown: string): FencedBlock[] {
  return fencedBlocks(markdown)
    .filter((b) => SHELL_LANGUAGES.has(b.lang))
    .map((b) =>
      b.lang === "console"
        ? { ...b, lines: b.lines.filter((l) => l.startsWith("$ ")).map((l) => l.slice(2)) }
        : b,
    );
}

/** shell-quote operators that redirect rather than separate commands. */
const REDIRECTS = new Set([">", ">>", "<", ">&", "<&", ">|", "<(", "<<<"]);

/** True for `node <...>dist/cli/main.js`, the documented way to run pyro from a checkout. */
const isCliScript = (word: string | undefined) =>
  word !== undefined && /(^|\/)dist\/cli\/main\.js$/.test(word);

/**
 * The argv (after `pyro`) of every pyro invocation on one shell line: simple commands whose
 * command word is `pyro` or `node .../dist/cli/main.js` (also inside `$(...)` and pipelines),
 * and client registrations that hand pyro everything after `--` (`claude mcp add pyro -- node
 * .../dist/cli/main.js mcp serve`). Variables stay literal (`$ws`). Comments are dropped.
 */
export function pyroInvocations(line: string): string[][] {
  const tokens = parse(line, (name) => `$${name}`);
  const commands: string[][] = [[]];
  let redirectTarget = false;
  for (const token of tokens) {
    const words = commands.at(-1) as string[];
    if (typeof token === "string") {
      if (redirectTarget) redirectTarget = false;
      else words.push(token);
    } else if ("comment" in token) {
      break;
    } else if (token.op === "glob") {
      words.push(token.pattern);
    } else if (REDIRECTS.has(token.op)) {
      // `2>&1`, `> out.json`: neither the fd number nor the target is an argument.
      if (/^\d+$/.test(words.at(-1) ?? "")) words.pop();
      redirectTarget = true;
    } else {
      commands.push([]);
    }
  }
  const found: string[][] = [];
  for (const words of commands) {
    // Leading assignments (`ws=$` before `$(`, `FOO=bar pyro ...`) are not the command word.
    const start = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if (start < 0) continue;
    const [word, next] = [words[start], words[start + 1]];
    if (word === "pyro") found.push(words.slice(start + 1));
    else if (word === "node" && isCliScript(next)) found.push(words.slice(start + 2));
    else {
      const dd = words.indexOf("--", start);
      if (dd >= 0 && words[dd + 1] === "node" && isCliScript(words[dd + 2])) found.push(words.slice(dd + 3));
    }
  }
  return found;
}
