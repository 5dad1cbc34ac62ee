/** Choosing the VMM driver and the running-VM limit, against the real supervisor and guests. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Pyro } from "../../src/sdk/index.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();

describe("VMM driver choice", () => {
  it("firecracker is refused with vmm_unavailable and leaves nothing behind", async () => {
    const r = await runCli(["run", "debian:12", "--", "true"], { ...home.env(), PYRO_VMM: "firecracker" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[vmm_unavailable\]/m);
    const vms = join(home.home(), "vms");
    expect(existsSync(vms) ? readdirSync(vms) : []).toEqual([]);
  });

  it("qemu, named explicitly, boots", async () => {
    const r = await runCli(["run", "debian:12", "--", "echo", "qemu-ok"], {
      ...home.env(),
      PYRO_VMM: "qemu",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("qemu-ok\n");
  });
});

describe("maxActiveVms", () => {
  it("refuses one VM more than the limit with too_many_vms, naming the running one", async () => {
    const pyro = new Pyro({ stateDir: home.home(), maxActiveVms: 1 });
    const first = await pyro.createWorkspace({ environment: "debian:12" });
    const refused = await pyro.createWorkspace({ environment: "debian:12" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "too_many_vms" });
    expect(String((refused as Error).message)).toContain(
      `1 of at most 1 VMs already run here: ${first.workspaceId}`,
    );
    expect(readdirSync(join(home.home(), "workspaces")).filter((n) => n.startsWith("ws_"))).toEqual([
      first.workspaceId,
    ]); // the refused create rolled back
    await pyro.stopWorkspace(first.workspaceId);
    const second = await pyro.createWorkspace({ environment: "debian:12" }); // a slot is free again
    await pyro.deleteWorkspace(second.workspaceId);
  });
});
