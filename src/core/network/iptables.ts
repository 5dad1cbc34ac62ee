/**
 * iptables backend, used when `nft` is missing: three chains per workspace,
 * `PYRO-<tag>-IN` and `PYRO-<tag>-FWD` in table filter and `PYRO-<tag>-NAT` in table nat,
 * jumped from INPUT (`-i TAP`), FORWARD (`-i TAP` and `-o TAP`) and POSTROUTING (always; the
 * chain matches the /30 itself). Every jump can be rebuilt from the TAP name alone, so teardown
 * needs no lease. IPv6 is handled by disabling it on the TAP (tap.ts), not by ip6tables.
 *
 * Tested only against a fake runner (argv lists), never against a real iptables.
 */
import { PyroError } from "../../errors.js";
import { type CommandRunner, mustRun } from "./command.js";
import type { FirewallBackend, FirewallSpec } from "./firewall.js";
import { type FirewallTarget, IPT_CHAIN_RE, iptablesChains, TAP_WILDCARD, targetFromTag } from "./names.js";

const IPT = ["iptables", "-w"] as const;
/** Upper bound on duplicate jumps removed per hook (an interrupted install may repeat one). */
const MAX_DUPLICATE_JUMPS = 16;

/** The jump rules of a workspace, as `[table, chain, ...match, "-j", target]` tails (pure). */
export function iptablesJumps(target: FirewallTarget): string[][] {
  const c = iptablesChains(target.tag);
  return [
    ["-t", "filter", "INPUT", "-i", target.ifname, "-j", c.input],
    ["-t", "filter", "FORWARD", "-i", target.ifname, "-j", c.forward],
    ["-t", "filter", "FORWARD", "-o", target.ifname, "-j", c.forward],
    ["-t", "nat", "POSTROUTING", "-j", c.nat],
  ];
}

function jumpArgv(op: "-I" | "-D", jump: string[]): string[] {
  const [t, table, chain, ...rest] = jump;
  return [...IPT, t as string, table as string, op, chain as string, ...rest];
}

/** Every command that installs a workspace's chains and jumps, in order (pure). */
export function iptablesInstallArgv(spec: FirewallSpec): string[][] {
  const tap = spec.target.ifname;
  const c = iptablesChains(spec.target.tag);
  const f = [...IPT, "-t", "filter"];
  const n = [...IPT, "-t", "nat"];
  // Only flows that involve the guest itself: to it (input), or opened by it (forward).
  const established = (dir: "--ctorigdst" | "--ctorigsrc") => [
    "-m",
    "conntrack",
    "--ctstate",
    "ESTABLISHED,RELATED",
    dir,
    spec.guestIp,
    "-j",
    "ACCEPT",
  ];
  return [
    [...f, "-N", c.input],
    [...f, "-N", c.forward],
    [...n, "-N", c.nat],
    [...f, "-A", c.input, "!", "-s", spec.guestIp, "-j", "DROP"],
    [...f, "-A", c.input, ...established("--ctorigdst")],
    [...f, "-A", c.input, "-j", "DROP"],
    [...f, "-A", c.forward, "-i", tap, "!", "-s", spec.guestIp, "-j", "DROP"],
    [...f, "-A", c.forward, "-i", tap, "-o", TAP_WILDCARD.iptables, "-j", "DROP"],
    [...f, "-A", c.forward, "-i", tap, "-j", "ACCEPT"],
    [...f, "-A", c.forward, "-o", tap, ...established("--ctorigsrc")],
    [...f, "-A", c.forward, "-o", tap, "-j", "DROP"],
    [...n, "-A", c.nat, "-s", spec.subnet, "!", "-o", tap, "-j", "MASQUERADE"],
    ...iptablesJumps(spec.target).map((j) => jumpArgv("-I", j)),
  ];
}

/** Commands that empty and delete the chains (after the jumps are gone), in order (pure). */
export function iptablesChainRemovalArgv(target: FirewallTarget): string[][] {
  const c = iptablesChains(target.tag);
  const out: string[][] = [];
  for (const [table, chain] of [
    ["filter", c.input],
    ["filter", c.forward],
    ["nat", c.nat],
  ] as const) {
    out.push([...IPT, "-t", table, "-F", chain], [...IPT, "-t", table, "-X", chain]);
  }
  return out;
}

/** Tags of pyro chains in `iptables -S` output (`-N PYRO-<tag>-IN` lines). */
export function pyroChainTags(listing: string): string[] {
  const tags = new Set<string>();
  for (const line of listing.split("\n")) {
    const m = /^-N (\S+)$/.exec(line.trim());
    const tag = m?.[1] ? IPT_CHAIN_RE.exec(m[1])?.[1] : undefined;
    if (tag) tags.add(tag);
  }
  return [...tags];
}

/** The iptables {@link FirewallBackend}. */
export class IptablesFirewall implements FirewallBackend {
  readonly kind = "iptables" as const;
  constructor(private readonly run: CommandRunner) {}

  async install(spec: FirewallSpec): Promise<void> {
    await this.remove(spec.target);
    for (const argv of iptablesInstallArgv(spec)) await mustRun(this.run, argv);
  }

  async remove(target: FirewallTarget): Promise<void> {
    for (const jump of iptablesJumps(target)) {
      for (let i = 0; i < MAX_DUPLICATE_JUMPS; i++) {
        if ((await this.run(jumpArgv("-D", jump))).code !== 0) break;
      }
    }
    for (const argv of iptablesChainRemovalArgv(target)) await this.run(argv);
    if ((await this.list()).some((t) => t.tag === target.tag)) {
      throw new PyroError(
        "network_unavailable",
        `iptables chains of "${target.ifname}" remain after removal`,
        {
          details: { chains: iptablesChains(target.tag) },
        },
      );
    }
  }

  async list(): Promise<FirewallTarget[]> {
    const filter = await mustRun(this.run, [...IPT, "-t", "filter", "-S"]);
    const nat = await mustRun(this.run, [...IPT, "-t", "nat", "-S"]);
    return pyroChainTags(`${filter}\n${nat}`).map(targetFromTag);
  }
}
