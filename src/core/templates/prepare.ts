/**
 * `pyro prepare [ENV]`: builds an environment's VM templates ahead of the first run, so no
 * `pyro run` or `workspace create` pays for one. A usable template is kept; a broken one is
 * rebuilt.
 */
import type { PreparedTemplate, PrepareResult } from "../../contract/records/index.js";
import type { PyroConfig } from "../config.js";
import { requireInstalled } from "../environments/registry.js";
import { resolveAcceleration } from "../host.js";
import { checkDiskSize } from "../workspaces/disk-size.js";
import { buildTemplate } from "./build.js";
import { templateInputs } from "./inputs.js";
import { discardTemplate, findTemplate } from "./store.js";

export interface PrepareOptions {
  environment: string;
  vcpuCount: number;
  memMib: number;
  /** Disk size of the workspace template, in MiB: at least the environment image's size, as at create. */
  diskMib: number;
}

/**
 * Makes sure the `run` and `workspace` templates of `options` exist and are usable.
 * @throws PyroError environment_not_installed, invalid_argument (`diskMib` smaller than the
 *   environment's image: no workspace could use that template), vmm_unavailable, boot_failed
 *   (the template's boot)
 */
export async function prepareTemplates(config: PyroConfig, options: PrepareOptions): Promise<PrepareResult> {
  const kernel = await requireInstalled(config.cacheDir, options.environment);
  checkDiskSize(kernel.rootfsPath, options.diskMib); // create's own check: same floor, same error
  const accel = await resolveAcceleration(config, kernel.kernelPath);
  const out: PreparedTemplate[] = [];
  for (const purpose of ["run", "workspace"] as const) {
    const request = {
      purpose,
      kernel,
      vcpuCount: options.vcpuCount,
      memMib: options.memMib,
      diskMib: options.diskMib,
    };
    const inputs = await templateInputs(config, request, accel);
    const found = await findTemplate(config.cacheDir, inputs);
    if (found.status === "broken") await discardTemplate(found.dir);
    const template =
      found.status === "usable" ? found.template : await buildTemplate(config, inputs, kernel, accel);
    out.push({
      purpose,
      key: template.key,
      built: found.status !== "usable",
      boot_ms: template.manifest.boot_ms,
      save_ms: template.manifest.save_ms,
    });
  }
  return { environment: options.environment, templates: out };
}
