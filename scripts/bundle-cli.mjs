#!/usr/bin/env node
/**
 * Bundles the `pyro` CLI (src/cli/main.ts) into dist/cli/ with esbuild: main.js plus shared
 * chunks, one per lazily imported action or operation (code splitting keeps every `import()`
 * lazy). Start-up is paid on every shell call of an agent, and Node resolving, reading and
 * compiling the ~170 files `workspace exec` used to load cost more than running them.
 *
 * The SDK (dist/index.js, dist/sdk/) stays tsc's per-file output; the CLI carries its own copy.
 * Chunks sit directly in dist/cli/ on purpose: code that finds the package root from
 * `import.meta.url` (src/core/paths.ts, src/cli/version.ts, src/mcp/server.ts) counts two
 * levels up, as from src/<dir>/ and dist/<dir>/. Source maps point at src/; `--verbose` turns
 * them on for stack traces (src/cli/main.ts).
 *
 * Usage: node scripts/bundle-cli.mjs   (part of `npm run build:ts`)
 */
import { chmodSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const outdir = join(root, "dist", "cli");

// Old per-file output (or an earlier bundle's chunks) would linger next to the new chunks.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, "src", "cli", "main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  sourcesContent: false,
  // CommonJS dependencies (commander, proper-lockfile, ...) call require() for Node builtins,
  // which an ES module does not have.
  banner: { js: 'import { createRequire as __pyroRequire } from "node:module";\nconst require = __pyroRequire(import.meta.url);' },
  logLevel: "warning",
  // jsonc-parser's `main` is a UMD build whose require("./impl/...") calls esbuild cannot
  // follow; its ES module build bundles cleanly.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  // The shebang comes from main.ts itself.
});
chmodSync(join(outdir, "main.js"), 0o755);
