/** The human rendering of `workspace summary` (src/cli/render/summary.ts). */
import { describe, expect, it } from "vitest";
import { renderSummary } from "../../../src/cli/render/summary.js";
import type { WorkspaceSummary } from "../../../src/sdk/index.js";

const base: WorkspaceSummary = {
  workspaceId: "ws_0123456789ab",
  name: "dev",
  state: "started",
  environment: "debian:12",
  changes: {
    changed: true,
    summary: { added: 1, deleted: 0, modified: 1, typeChanged: 0, modeChanged: 0, binary: 0 },
    fileCount: 3,
    files: [
      { path: "a.txt", status: "added", kind: "text", oldMode: null, newMode: "0644" },
      { path: "b\u001b.txt", status: "modified", kind: "text", oldMode: "0644", newMode: "0644" },
    ],
    filesTruncated: true,
  },
  commands: {
    count: 12,
    recent: [
      {
        sequence: 12,
        command: ["sh", "-lc", "make test"],
        exitCode: 2,
        timedOut: false,
        durationMs: 40,
        startedAt: "2026-01-01T00:00:00.000Z",
      },
    ],
  },
  services: [
    {
      serviceName: "web",
      state: "ready",
      command: ["python3", "-m", "http.server"],
      exitCode: null,
      stopReason: null,
      publishedPorts: [{ host: "127.0.0.1", hostPort: 18080, guestPort: 8000 }],
    },
  ],
  shells: [{ shellId: "sh_01234567", state: "running", cwd: "/workspace", exitCode: null }],
  snapshots: [{ name: "baseline", createdAt: "2026-01-01T00:00:00.000Z", sizeBytes: 10, implicit: true }],
};

describe("renderSummary", () => {
  it("shows changes, commands, services, shells and snapshots, one line each", () => {
    expect(renderSummary(base)).toBe(
      [
        "Workspace: ws_0123456789ab (dev) started, debian:12",
        "Changes since baseline: 1 added, 1 modified, 0 deleted",
        "  added        a.txt",
        "  modified     b\\x1b.txt",
        "  ... 1 more",
        "Commands: 12 (last 1 shown)",
        '  #12 exit=2 40 ms ["sh","-lc","make test"]',
        "Services: 1",
        "  web ready ports 127.0.0.1:18080->8000",
        "Shells: 1",
        "  sh_01234567 running /workspace",
        "Snapshots: baseline",
        "",
      ].join("\n"),
    );
  });

  it("says when the changes are unknown (not running) or none", () => {
    expect(renderSummary({ ...base, state: "stopped", changes: null })).toContain(
      "Changes since baseline: unknown (not running)",
    );
    const none = { ...base.changes, changed: false, fileCount: 0, files: [], filesTruncated: false };
    expect(renderSummary({ ...base, changes: none as WorkspaceSummary["changes"] })).toContain(
      "Changes since baseline: none",
    );
  });
});
