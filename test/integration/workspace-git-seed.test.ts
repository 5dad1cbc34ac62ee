/**
 * Workspaces seeded from git, checked inside the guest: `--project-path` (CLI) brings tracked
 * and untracked-but-not-ignored files and leaves `node_modules/` and `.git` behind;
 * `repoUrl` + `repoRef` (SDK) seeds exactly that ref's tree of a local repository; MCP's
 * `workspace_create` takes `project_path` through its derived schema.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../../src/mcp/server.js";
import type { Pyro } from "../../src/sdk/index.js";
import { gitProject, gitVersions } from "../support/git-repo.js";
import { requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
let base = "";
let pyro: Pyro;

beforeAll(() => {
  base = mkdtempSync("/tmp/pyro-gitseed-");
  pyro = home.sdk();
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** `sh -c script` in the workspace; its stdout. */
async function sh(id: string, script: string): Promise<string> {
  const r = await pyro.execWorkspace({ workspaceId: id, command: ["sh", "-c", script] });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

const project = (name: string) => gitProject(join(base, name));

describe("git seeds", () => {
  it("--project-path seeds tracked and untracked files, without node_modules or .git", async () => {
    const root = project("cli");
    const r = await home.cli(
      "workspace",
      "create",
      "debian:12",
      "--project-path",
      join(root, "src"),
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const w = JSON.parse(r.stdout) as { workspace_id: string; workspace_seed: unknown };
    expect(w.workspace_seed).toEqual({ mode: "git", seed_path: root });
    expect(await sh(w.workspace_id, "cd /workspace && ls -A")).toBe(".gitignore\nmain.js\nnotes.txt\nsrc\n");
    expect(await sh(w.workspace_id, "cd /workspace && readlink main.js && cat src/app.js notes.txt")).toBe(
      "src/app.js\nconsole.log('app')\nuntracked but not ignored\n",
    );
    // The baseline is the seed: nothing differs yet.
    expect((await pyro.diffWorkspace(w.workspace_id)).changed).toBe(false);
  });

  it("repoUrl with repoRef seeds that ref's tree of a local repository", async () => {
    const root = join(base, "origin");
    gitVersions(root);
    const w = await pyro.createWorkspace({
      environment: "debian:12",
      repoUrl: `file://${root}`,
      repoRef: "v1",
    });
    expect(w.workspaceSeed).toEqual({ mode: "git", seedPath: `file://${root}#v1` });
    expect(await sh(w.workspaceId, "cd /workspace && ls -A && cat version.txt")).toBe("version.txt\n1\n");
    await expect(
      pyro.createWorkspace({ environment: "debian:12", repoUrl: root, repoRef: "v9" }),
    ).rejects.toMatchObject({ code: "invalid_argument" });
    await expect(
      pyro.createWorkspace({ environment: "debian:12", repoUrl: root, seedPath: root }),
    ).rejects.toMatchObject({ code: "invalid_argument" });
    expect((await pyro.listWorkspaces()).count).toBe(1);
  });

  it("MCP workspace_create takes project_path, confined to the allowed roots", async () => {
    const root = project("mcp");
    const server = createMcpServer(pyro, { allowedRoots: [base] });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "git-seed-test", version: "0" });
    await Promise.all([server.connect(b), client.connect(a)]);
    try {
      const outside = (await client.callTool({
        name: "workspace_create",
        arguments: { environment: "debian:12", project_path: "/usr/share" },
      })) as CallToolResult;
      expect(outside.structuredContent).toMatchObject({ error: { code: "host_path_not_allowed" } });
      const ok = (await client.callTool({
        name: "workspace_create",
        arguments: { environment: "debian:12", project_path: root },
      })) as CallToolResult;
      expect(ok.isError, JSON.stringify(ok.content)).toBeFalsy();
      const id = (ok.structuredContent as { workspace_id: string }).workspace_id;
      expect(await sh(id, "cd /workspace && ls -A")).toBe(".gitignore\nmain.js\nnotes.txt\nsrc\n");
    } finally {
      await client.close();
    }
  });
});
