/**
 * Registry references: `registry/repository[:tag][@sha256:<64 hex>]`, as Docker and the OCI
 * distribution spec spell them. The first component is the registry when it has a `.` or a
 * `:` or is `localhost`; pyro never assumes a default registry, so one is required.
 */
import { PyroError } from "../../errors.js";

export interface Reference {
  /** `host[:port]`. */
  registry: string;
  repository: string;
  tag: string | undefined;
  /** `sha256:<hex>` when the reference pins one. */
  digest: string | undefined;
  /** The reference as the user wrote it, which names the environment it installs. */
  text: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REGISTRY = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

/** True when `text` names a registry (has a `/` after a registry-like first component). */
export function isRegistryReference(text: string): boolean {
  const first = text.split("/")[0] ?? "";
  return text.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
}

/**
 * Parses a reference; `tag` defaults to `latest` unless a digest is given.
 * @throws PyroError invalid_argument naming what is wrong
 */
export function parseReference(text: string): Reference {
  const bad = (why: string) =>
    new PyroError("invalid_argument", `"${text}" is not a registry reference: ${why}`, {
      details: { reference: text },
      hint: "write REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST, e.g. 127.0.0.1:5000/team/node-dev:1",
    });
  if (!isRegistryReference(text))
    throw bad("it must start with a registry host (with a '.' or ':', or localhost)");
  const slash = text.indexOf("/");
  const registry = text.slice(0, slash);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad("the digest must be sha256:<64 lowercase hex digits>");
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`bad tag "${tag}"`);
  }
  if (!REGISTRY.test(registry)) throw bad(`bad registry "${registry}"`);
  if (!REPOSITORY.test(rest)) throw bad(`bad repository "${rest}" (lowercase, '/'-separated)`);
  return { registry, repository: rest, tag: tag ?? (digest ? undefined : "latest"), digest, text };
}

/** The tag or digest to ask the registry for (the digest wins when both are given). */
export function manifestReference(ref: Reference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** True for `localhost`, 127.0.0.0/8 and `[::1]`: the only hosts plain HTTP is allowed to. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(0, registry.indexOf("]") + 1)
    : registry.split(":")[0];
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? "");
}
