/**
 * Host object names of one workspace's network, all derived from its id so teardown works
 * without a lease file: the TAP, the nftables table, the iptables chains, the guest MAC and the
 * marker written into the TAP's alias (which registry owns it).
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { InvalidArgumentError } from "../../errors.js";

/** Workspace ids that can name host objects: `ws_` + 12 hex in practice. */
const ID_RE = /^[A-Za-z0-9_]{1,48}$/;

/** Every pyro TAP: `pyro` + 11 lowercase hex (15 chars, the kernel's IFNAMSIZ limit). */
export const TAP_NAME_RE = /^pyro[0-9a-f]{11}$/;
/** Every pyro nftables table (family `inet`): `pyro_` + the workspace id. */
export const NFT_TABLE_RE = /^pyro_([A-Za-z0-9_]{1,48})$/;
/** Every pyro iptables chain: `PYRO-` + the 11-hex tag + `-IN|-FWD|-NAT` (at most 28 chars). */
export const IPT_CHAIN_RE = /^PYRO-([0-9a-f]{11})-(IN|FWD|NAT)$/;
/** Pattern matching every pyro TAP, in the syntax of nft `oifname` and iptables `-o`. */
export const TAP_WILDCARD = { nft: "pyro*", iptables: "pyro+" } as const;

/** The names a firewall backend needs to find or remove one workspace's rules. */
export interface FirewallTarget {
  /** 11 lowercase hex characters shared by the TAP and the iptables chains. */
  tag: string;
  /** TAP device name. */
  ifname: string;
  /** nftables table (family `inet`); unknown when found only as iptables chains. */
  nftTable?: string;
}

/** All host-side names of one workspace's network. */
export interface NetworkNames extends FirewallTarget {
  workspaceId: string;
  nftTable: string;
  /** iptables chains: `input`/`forward` in table `filter`, `nat` in table `nat`. */
  iptChains: IptablesChains;
  /** Guest NIC MAC: locally administered QEMU prefix `52:54:00` + 3 bytes of the tag. */
  mac: string;
}

/** The three per-workspace iptables chains. */
export interface IptablesChains {
  input: string;
  forward: string;
  nat: string;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** iptables chains of a tag (also used for chains found on the host without a lease). */
export function iptablesChains(tag: string): IptablesChains {
  return { input: `PYRO-${tag}-IN`, forward: `PYRO-${tag}-FWD`, nat: `PYRO-${tag}-NAT` };
}

/** Firewall target of a tag alone (an iptables leftover whose workspace id is unknown). */
export function targetFromTag(tag: string): FirewallTarget {
  return { tag, ifname: `pyro${tag}` };
}

/**
 * Derives every host name from a workspace id (pure, deterministic).
 * @throws PyroError invalid_argument when the id has characters other than `[A-Za-z0-9_]` or
 *   more than 48 of them (it names an nftables table)
 */
export function networkNames(workspaceId: string): NetworkNames {
  if (!ID_RE.test(workspaceId)) {
    throw new InvalidArgumentError(
      `workspace id "${workspaceId}" cannot name network objects: use 1-48 of [A-Za-z0-9_]`,
    );
  }
  const hash = sha256Hex(workspaceId);
  const tag = hash.slice(0, 11);
  const macBytes = (hash.slice(11, 17).match(/../g) ?? []).join(":");
  return {
    workspaceId,
    tag,
    ifname: `pyro${tag}`,
    nftTable: `pyro_${workspaceId}`,
    iptChains: iptablesChains(tag),
    mac: `52:54:00:${macBytes}`,
  };
}

/** 8 hex characters identifying a registry directory (by absolute path). */
export function registryTag(registryDir: string): string {
  return sha256Hex(resolve(registryDir)).slice(0, 8);
}

/** TAP alias marking its owner: `pyro:<workspace id>:<registry tag>`. */
export function tapAlias(workspaceId: string, registryDir: string): string {
  return `pyro:${workspaceId}:${registryTag(registryDir)}`;
}

/** Parses a {@link tapAlias}; undefined for anything else. */
export function parseTapAlias(
  alias: string | undefined,
): { workspaceId: string; registry: string } | undefined {
  const m = /^pyro:([A-Za-z0-9_]{1,48}):([0-9a-f]{8})$/.exec(alias ?? "");
  return m?.[1] && m[2] ? { workspaceId: m[1], registry: m[2] } : undefined;
}
