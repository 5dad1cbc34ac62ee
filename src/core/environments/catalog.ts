/**
 * The environment catalog. An environment is a guest kernel plus a Debian 12 rootfs image;
 * its `version` changes whenever the recipe (package list, image layout, kernel config) does,
 * so an old install is never mistaken for the current one.
 */
import { PyroError } from "../../errors.js";

export const CATALOG_VERSION = "1.0.0";

export interface CatalogEntry {
  name: string;
  version: string;
  description: string;
  /** Debian suite the rootfs is bootstrapped from. */
  suite: "bookworm";
  /** Guest OS, for display. */
  os: string;
  /** Default disk size of the rootfs image in MiB (sparse). */
  diskMib: number;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: "debian:12",
    version: "1.0.0",
    description: "Debian 12 (bookworm) with Git preinstalled for agent work",
    suite: "bookworm",
    os: "debian-12",
    diskMib: 2048,
  },
  {
    name: "debian:12-base",
    version: "1.0.0",
    description: "Debian 12 (bookworm), minimal shell and core tools",
    suite: "bookworm",
    os: "debian-12",
    diskMib: 2048,
  },
  {
    name: "debian:12-build",
    version: "1.0.0",
    description: "Debian 12 (bookworm) with Git and build tools: build-essential, make, python3, curl",
    suite: "bookworm",
    os: "debian-12",
    diskMib: 2048,
  },
];

/** Looks an environment up by name; `environment_not_found` lists the valid names. */
export function findCatalogEntry(name: string): CatalogEntry {
  const entry = CATALOG.find((e) => e.name === name);
  if (!entry) {
    throw new PyroError("environment_not_found", `unknown environment "${name}"`, {
      details: { environment: name, available: CATALOG.map((e) => e.name) },
      hint: `choose one of: ${CATALOG.map((e) => e.name).join(", ")} (see \`pyro env list\`)`,
    });
  }
  return entry;
}
