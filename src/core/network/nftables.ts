/**
 * nftables backend: one table `inet pyro_<workspace id>` per workspace with three base chains
 * (nat postrouting, filter forward, filter input), loaded atomically with `nft -f -`. Base
 * chains have policy accept so they only ever judge their own TAP's traffic.
 */
import { type CommandRunner, mustRun } from "./command.js";
import type { FirewallBackend, FirewallSpec } from "./firewall.js";
import { type FirewallTarget, NFT_TABLE_RE, networkNames, TAP_WILDCARD } from "./names.js";

/**
 * The ruleset text for `nft -f -` (pure). It first creates then deletes the table, so loading
 * it replaces an existing table in one transaction.
 */
export function nftRuleset(spec: FirewallSpec): string {
  const { nftTable: table, ifname: tap } = spec.target;
  const q = (s: string) => JSON.stringify(s);
  return [
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${spec.subnet} oifname != ${q(tap)} masquerade`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    `    iifname ${q(tap)} meta nfproto ipv6 drop`,
    `    iifname ${q(tap)} ip saddr != ${spec.guestIp} drop`,
    `    iifname ${q(tap)} oifname ${q(TAP_WILDCARD.nft)} drop`,
    `    iifname ${q(tap)} accept`,
    // Only replies to (and ICMP about) flows the guest itself opened.
    `    oifname ${q(tap)} ct state established,related ct original ip saddr ${spec.guestIp} accept`,
    `    oifname ${q(tap)} drop`,
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    // A spoofed source, or "related" ICMP about some other host flow, could otherwise reach
    // (and reset) the host's own sockets: only the guest's address, only flows to the guest.
    `    iifname ${q(tap)} ip saddr != ${spec.guestIp} drop`,
    `    iifname ${q(tap)} ct state established,related ct original ip daddr ${spec.guestIp} accept`,
    `    iifname ${q(tap)} drop`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Table names in `nft -j list tables` output that are pyro's (family inet, `pyro_<id>`). */
export function pyroTablesFromJson(json: string): string[] {
  const doc = JSON.parse(json || "{}") as { nftables?: { table?: { family?: string; name?: string } }[] };
  return (doc.nftables ?? [])
    .map((e) => e.table)
    .filter((t) => t?.family === "inet" && NFT_TABLE_RE.test(t.name ?? ""))
    .map((t) => t?.name as string);
}

/** The nftables {@link FirewallBackend}. */
export class NftablesFirewall implements FirewallBackend {
  readonly kind = "nftables" as const;
  constructor(private readonly run: CommandRunner) {}

  async install(spec: FirewallSpec): Promise<void> {
    await mustRun(this.run, ["nft", "-f", "-"], nftRuleset(spec));
  }

  async remove(target: FirewallTarget): Promise<void> {
    if (!target.nftTable) return;
    const r = await this.run(["nft", "delete", "table", "inet", target.nftTable]);
    if (r.code === 0) return;
    const tables = pyroTablesFromJson(await mustRun(this.run, ["nft", "-j", "list", "tables"]));
    if (tables.includes(target.nftTable)) {
      await mustRun(this.run, ["nft", "delete", "table", "inet", target.nftTable]);
    }
  }

  async list(): Promise<FirewallTarget[]> {
    const tables = pyroTablesFromJson(await mustRun(this.run, ["nft", "-j", "list", "tables"]));
    return tables.map((t) => networkNames(NFT_TABLE_RE.exec(t)?.[1] as string));
  }
}
