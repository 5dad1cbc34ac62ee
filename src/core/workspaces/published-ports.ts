/**
 * `service start --publish [HOST_PORT:]GUEST_PORT`: the supervisor listens on the host's
 * 127.0.0.1 and forwards each connection through the agent to the guest port
 * (src/supervisor/ports.ts), for as long as the service runs.
 */
import { PyroError } from "../../errors.js";
import type { SupervisorClient } from "../../supervisor/client.js";
import type { PublishedPort } from "../../supervisor/protocol.js";

export type { PublishedPort };

export interface PortSpec {
  /** 0 = a free port chosen at publish time. */
  hostPort: number;
  guestPort: number;
}

/** Parses `[HOST_PORT:]GUEST_PORT`. @throws PyroError invalid_argument */
export function parsePublish(spec: string): PortSpec {
  const m = /^(?:(\d{1,5}):)?(\d{1,5})$/.exec(spec);
  const hostPort = Number(m?.[1] ?? 0);
  const guestPort = Number(m?.[2]);
  if (!m || guestPort < 1 || guestPort > 65535 || hostPort > 65535 || (m[1] !== undefined && hostPort < 1)) {
    throw new PyroError(
      "invalid_argument",
      `--publish "${spec}" must be [HOST_PORT:]GUEST_PORT with ports 1-65535`,
    );
  }
  return { hostPort, guestPort };
}

/** @throws PyroError published_ports_disabled unless the policy allows publication */
export function requirePublishable(workspaceId: string, policy: string): void {
  if (policy !== "egress+published-ports") {
    throw new PyroError(
      "published_ports_disabled",
      `workspace "${workspaceId}" has network policy "${policy}", which does not allow published ports`,
      { hint: "create the workspace with --network-policy egress+published-ports" },
    );
  }
}

/** Publishes each port of `service`. @throws PyroError port_in_use */
export async function publishPorts(
  client: SupervisorClient,
  service: string,
  specs: PortSpec[],
): Promise<PublishedPort[]> {
  const out: PublishedPort[] = [];
  for (const s of specs) {
    out.push(
      await client.json<PublishedPort>("POST", "/v1/ports", {
        service,
        guest_port: s.guestPort,
        host_port: s.hostPort,
      }),
    );
  }
  return out;
}

/** Closes the service's publications (none is fine). */
export async function unpublishPorts(client: SupervisorClient, service: string): Promise<void> {
  await client.json("DELETE", `/v1/ports/${encodeURIComponent(service)}`);
}

/** Every live publication of the VM; none when its supervisor does not answer. */
export async function listPublished(client: SupervisorClient): Promise<PublishedPort[]> {
  try {
    return (
      await client.json<{ published_ports: PublishedPort[] }>("GET", "/v1/ports", undefined, undefined, 5_000)
    ).published_ports;
  } catch {
    return [];
  }
}
