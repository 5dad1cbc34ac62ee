/**
 * Secrets and published ports with the TypeScript SDK: create a workspace with a secret and
 * network policy `egress+published-ports`, use the secret in one command (its value comes
 * back as [REDACTED]), serve /workspace on a guest port, fetch it from the host's 127.0.0.1,
 * stop the service (the port closes), delete.
 *
 * Needs root (a TAP device and nftables rules) and the debian:12-build environment (python3).
 * Prerequisites and how to run: see examples/sdk-workspace.ts.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-secrets-ports] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const { workspaceId, secrets } = await pyro.createWorkspace({
    environment: "debian:12-build",
    networkPolicy: "egress+published-ports",
    secrets: [{ name: "API_TOKEN", value: "example-token-123" }],
  });
  try {
    log(`created ${workspaceId} with secrets: ${secrets.map((s) => s.name).join(", ")}`);
    // The secret is in this command's environment only; output never shows its value.
    const r = await pyro.execWorkspace({
      workspaceId,
      command: ["sh", "-c", 'echo "token is $API_TOKEN"'],
      secretEnv: ["API_TOKEN"],
    });
    assert.equal(r.stdout, "token is [REDACTED]\n");
    log(`exec: ${r.stdout.trim()}`);

    await pyro.writeWorkspaceFile({ workspaceId, path: "index.html", text: "hello from the guest\n" });
    const web = await pyro.startService({
      workspaceId,
      serviceName: "web",
      command: ["python3", "-m", "http.server", "8080"],
      readyHttp: "http://127.0.0.1:8080/",
      publish: ["8080"], // a free host port; "18080:8080" would pick 18080
    });
    const port = web.publishedPorts[0];
    assert.ok(port, `service ${web.state}: ${web.stopReason}`);
    const body = await (await fetch(`http://${port.host}:${port.hostPort}/`)).text();
    assert.equal(body, "hello from the guest\n");
    log(`fetched ${port.host}:${port.hostPort} -> guest :${port.guestPort}: ${body.trim()}`);

    await pyro.stopService({ workspaceId, serviceName: "web" });
    await assert.rejects(fetch(`http://${port.host}:${port.hostPort}/`));
    log("service stopped; the host port is closed");
  } finally {
    await pyro.deleteWorkspace(workspaceId);
    log(`deleted ${workspaceId}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
