/**
 * IPv4 forwarding (`net.ipv4.ip_forward`), which NAT for guests needs. pyro turns it on when
 * the first networked workspace starts and, like Docker, never turns it back off: other
 * software may rely on it by then. Each workspace's firewall table limits what its guest may
 * forward; forwarding between other interfaces is left to the host's own firewall.
 */
import { readFile, writeFile } from "node:fs/promises";

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

/** True when the host forwards IPv4 now. */
export async function ipForwardEnabled(): Promise<boolean> {
  return (await readFile(IP_FORWARD, "utf8").catch(() => "0")).trim() === "1";
}

/**
 * Enables IPv4 forwarding (writes `1` to /proc/sys/net/ipv4/ip_forward) unless already on.
 * @throws the filesystem error when /proc/sys is read-only or pyro is not root
 */
export async function enableIpForward(): Promise<void> {
  if (await ipForwardEnabled()) return;
  await writeFile(IP_FORWARD, "1");
}
