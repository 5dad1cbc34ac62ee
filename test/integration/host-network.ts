/**
 * Shared set-up for the host-side network test files (network-host-*.test.ts), which boot no
 * guest: a private lease registry (`PYRO_NET_DIR`) and pool (`PYRO_NET_POOL`) for the file,
 * owner directories standing in for workspaces, and checks that nothing of the file's
 * workspaces (TAP, nftables table, lease) is left behind. Root only.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { runCommand } from "../../src/core/network/command.js";
import { teardownWorkspaceNetwork } from "../../src/core/network/index.js";
import { networkNames } from "../../src/core/network/names.js";

/** The address pool every host network test file leases from. */
export const POOL = "10.213.0.0/16";

/** Throws (failing the file, never skipping it) when this machine cannot run the tests. */
export function requireHostNetwork(): void {
  let reason: string | undefined;
  if (process.getuid?.() !== 0) reason = "not root";
  else if (!existsSync("/dev/net/tun")) reason = "no /dev/net/tun";
  if (reason) throw new Error(`host network tests need: ${reason}`);
}

/** Runs `argv`; its stdout, or throws naming the command, exit code and stderr. */
export async function out(argv: string[]): Promise<string> {
  const r = await runCommand(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const ok = async (argv: string[]) => (await runCommand(argv)).code === 0;
/** Whether the host has a link named `ifname`. */
export const linkExists = (ifname: string) => ok(["ip", "link", "show", "dev", ifname]);
/** Whether workspace `id`'s nftables table exists. */
export const tableExists = (id: string) => ok(["nft", "list", "table", "inet", `pyro_${id}`]);

/** A file's registry and owner directories, set by its `beforeAll`. */
export interface HostNetworkSandbox {
  /** This file's lease registry (`PYRO_NET_DIR`). */
  registry: string;
  /** Parent of the owner directories. */
  homes: string;
  /** A fresh workspace id, remembered for the final cleanup and leak check. */
  newId(): string;
  /** A fresh owner directory (stands in for `$PYRO_HOME/workspaces/<id>`). */
  ownerDir(id: string): string;
  /** Whether workspace `id` has a lease file in the registry. */
  leaseExists(id: string): boolean;
}

/**
 * Registers the file's hooks: `beforeAll` makes the registry and owner directories and points
 * PYRO_NET_DIR/PYRO_NET_POOL at them; `afterAll` tears down every workspace `newId` gave out,
 * restores the environment and fails the file on any TAP, table or lease left behind.
 */
export function hostNetworkSandbox(): HostNetworkSandbox {
  const ids: string[] = [];
  const saved = { dir: process.env.PYRO_NET_DIR, pool: process.env.PYRO_NET_POOL };
  const sandbox: HostNetworkSandbox = {
    registry: "",
    homes: "",
    newId() {
      const id = `ws_${randomBytes(6).toString("hex")}`;
      ids.push(id);
      return id;
    },
    ownerDir(id) {
      const dir = join(sandbox.homes, id);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    leaseExists: (id) => existsSync(join(sandbox.registry, `${id}.json`)),
  };

  beforeAll(() => {
    sandbox.registry = mkdtempSync("/tmp/pyro-netreg-");
    sandbox.homes = mkdtempSync("/tmp/pyro-nethome-");
    process.env.PYRO_NET_DIR = sandbox.registry;
    process.env.PYRO_NET_POOL = POOL;
  });

  afterAll(async () => {
    const { registry, homes } = sandbox;
    const failures: string[] = [];
    for (const id of ids) {
      await teardownWorkspaceNetwork(id).catch((err: Error) => failures.push(`${id}: ${err.message}`));
    }
    const leftLinks: string[] = [];
    const leftTables: string[] = [];
    for (const id of ids) {
      if (await linkExists(networkNames(id).ifname)) leftLinks.push(networkNames(id).ifname);
      if (await tableExists(id)) leftTables.push(`pyro_${id}`);
    }
    const leftLeases = existsSync(registry) ? readdirSync(registry) : [];
    rmSync(registry, { recursive: true, force: true });
    rmSync(homes, { recursive: true, force: true });
    process.env.PYRO_NET_DIR = saved.dir;
    process.env.PYRO_NET_POOL = saved.pool;
    if (saved.dir === undefined) delete process.env.PYRO_NET_DIR;
    if (saved.pool === undefined) delete process.env.PYRO_NET_POOL;
    expect({ failures, leftLinks, leftTables }).toEqual({ failures: [], leftLinks: [], leftTables: [] });
    expect(leftLeases.filter((n) => n.endsWith(".json"))).toEqual([]);
  });

  return sandbox;
}
