/** The zod schema of an environment install manifest (`manifest.json`, layout 2). */
import { z } from "zod";

/** Layout 2: a kernel flavor and a `modules` artifact (the initramfs's kernel modules). */
export const MANIFEST_LAYOUT_VERSION = 2;

const ArtifactSchema = z.object({
  path: z.string(),
  sha256: z.string().length(64),
  size_bytes: z.number(),
  /** mtime when hashed, in ms since the epoch: unchanged mtime and size skip re-hashing on pull. */
  mtime_ms: z.number().optional(),
});

export const ManifestSchema = z.object({
  layout_version: z.literal(MANIFEST_LAYOUT_VERSION),
  name: z.string(),
  version: z.string(),
  catalog_version: z.string(),
  installed_at: z.string(),
  /**
   * `local-build` (catalog or `env build`), `prebuilt`, `oci-artifact` (a pyro environment
   * pulled from a registry) or `oci-image` (an ordinary container image unpacked here).
   */
  source: z.enum(["local-build", "prebuilt", "oci-artifact", "oci-image"]),
  /** Environments not in the catalog: shown by `env list`. */
  description: z.string().optional(),
  /** `env build`: the catalog environment it extends. */
  base: z.string().optional(),
  /** `env build`: sha256 of the normalized recipe (packages, files, setup). */
  recipe_sha256: z.string().optional(),
  /** Pulled from a registry: the reference as given and the manifest digest it resolved to. */
  oci: z
    .object({
      reference: z.string(),
      digest: z.string(),
      /** `oci-image` only: the image config pyro honours at exec (`Env`, `WorkingDir`) or records (`User`). */
      image_config: z
        .object({ env: z.array(z.string()), working_dir: z.string(), user: z.string() })
        .optional(),
    })
    .optional(),
  debian_mirror: z.string().optional(),
  kernel_key: z.string(),
  /** `debian` (Debian's prebuilt cloud kernel) or `custom` (compiled here). */
  kernel_flavor: z.enum(["debian", "custom"]),
  kernel_release: z.string(),
  /** How the guest finds its virtio-mmio devices: `acpi` (QEMU microvm with ACPI) or `cmdline`. */
  kernel_device_discovery: z.enum(["acpi", "cmdline"]),
  /** Provenance: source package, version, .deb sha256 (images/kernel/*.sh). */
  kernel_build: z.record(z.string(), z.unknown()),
  packages: z.array(z.string()),
  artifacts: z.object({ kernel: ArtifactSchema, modules: ArtifactSchema, rootfs: ArtifactSchema }),
});
