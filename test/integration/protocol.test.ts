/**
 * Wire error codes from a real guest: a route the guest agent (or the supervisor) does not
 * know reaches the host as guest_protocol_mismatch, never as a missing file, while a path
 * that does not exist stays file_not_found (src/error-codes.ts WIRE_CODES).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { vmPaths } from "../../src/core/paths.js";
import { VmManager } from "../../src/core/vm-manager.js";
import { GuestFiles } from "../../src/core/workspaces/guest-files.js";
import { PyroError } from "../../src/errors.js";
import { expectOk, SupervisorClient } from "../../src/supervisor/client.js";
import { requireGuest, usePyroHome } from "./fixtures.js";

requireGuest();
const home = usePyroHome();
let vms: VmManager;
let vmId = "";
let client: SupervisorClient;

beforeAll(async () => {
  vms = new VmManager(resolveConfig({ stateDir: home.home() }));
  const vm = await vms.create({
    environment: "debian:12",
    vcpuCount: 1,
    memMib: 512,
    ttlSeconds: 600,
    network: false,
  });
  vmId = vm.vm_id;
  await vms.start(vmId);
  client = new SupervisorClient(vmPaths(home.home(), vmId).supervisorSocket);
});
afterAll(async () => {
  if (vmId) await vms.delete(vmId);
});

/** The PyroError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<PyroError> {
  const err = await p.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );
  if (!(err instanceof PyroError)) throw err;
  return err;
}

describe("wire error codes from a real guest", () => {
  it("an agent route that does not exist is guest_protocol_mismatch, not file_not_found", async () => {
    const res = await client.request("GET", "/v1/agent/templates?path=x");
    expect(res.status).toBe(404);
    const err = await rejection(expectOk(res));
    expect(err.code).toBe("guest_protocol_mismatch");
    expect(err.message).toContain("the guest agent does not know this request (no route GET /v1/templates)");
    expect(err.details).toMatchObject({ upstream_code: "no_route", route: "/v1/agent/templates" });
  });

  it("a supervisor route that does not exist is guest_protocol_mismatch too", async () => {
    const err = await rejection(client.json("GET", "/v1/templates"));
    expect(err.code).toBe("guest_protocol_mismatch");
    expect(err.message).toContain("the VM's supervisor does not know this request");
  });

  it("a missing file stays file_not_found", async () => {
    const err = await rejection(new GuestFiles(client).list("no-such-dir", false));
    expect(err.code).toBe("file_not_found");
    expect(err.details).toMatchObject({ upstream_code: "not_found" });
  });
});
