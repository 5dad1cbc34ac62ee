/** The host report of `pyro doctor` in snake_case (`pyro doctor --json`; the SDK's is camelCase). */
import { z } from "zod";

const yesNoUnknown = z.boolean().nullable();

export const DoctorReportSchema = z.object({
  platform: z.string().describe("e.g. linux-x86_64"),
  runtime_ok: z.boolean().describe("Guests can boot and run commands here"),
  /**
   * `/dev/kvm` as the calling user sees it (null: unknown, the supervisor binary could not
   * run), and whether a guest kernel really boots under KVM (null: not tested yet).
   */
  kvm: z.object({
    exists: yesNoUnknown,
    readable: yesNoUnknown,
    writable: yesNoUnknown,
    guest_boots: yesNoUnknown,
    reason: z.string(),
  }),
  /**
   * Every VMM driver as its own probe sees it: binary path and version (null: not found or
   * unknown), whether it can run here (`reason` when not) and its `execution_mode`.
   */
  vmms: z.array(
    z.object({
      name: z.string(),
      path: z.string().nullable(),
      version: z.string().nullable(),
      available: z.boolean(),
      reason: z.string().optional(),
      execution_mode: z.string(),
    }),
  ),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  acceleration_reason: z.string(),
  environment_cache_dir: z.string(),
  state_dir: z.string(),
  /**
   * Free space of the file system holding the state dir, in MiB (null: unknown). Every
   * workspace disk lives there: sparse files that grow as guests write, up to `--disk-mib`.
   */
  state_dir_free_mib: z.number().int().nullable(),
  installed_environments: z.array(z.string()),
  /**
   * The guest kernel each installed environment boots: flavor (`debian` = Debian's prebuilt
   * cloud kernel, `custom` = compiled here), source package and version, kernel release.
   */
  environment_kernels: z.array(
    z.object({
      environment: z.string(),
      flavor: z.enum(["debian", "custom"]),
      package: z.string(),
      version: z.string(),
      release: z.string(),
    }),
  ),
  agent_binary: z.object({ path: z.string(), present: z.boolean() }),
  capabilities: z.object({ vm_boot: z.boolean(), guest_exec: z.boolean(), guest_network: z.boolean() }),
  /**
   * Workspace networking (policies `egress`, `egress+published-ports`): `/dev/net/tun` usable,
   * IPv4 forwarding on now, paths of `nft`/`iptables`, the firewall pyro would use, root, and
   * whether networked workspaces can start (`reason` when not).
   */
  networking: z.object({
    tun: z.boolean(),
    ip_forward: z.boolean(),
    nft: z.string().nullable(),
    iptables: z.string().nullable(),
    firewall: z.enum(["nftables", "iptables"]).nullable(),
    root: z.boolean(),
    available: z.boolean(),
    reason: z.string().optional(),
  }),
  problems: z.array(z.string()).describe("What stops pyro here, one line each with its fix"),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
