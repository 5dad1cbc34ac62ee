/** The package version `pyro --version` prints, read without loading anything else. */
import { readFileSync } from "node:fs";

/** `version` from package.json (two levels above `dist/cli/` and `src/cli/`). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
