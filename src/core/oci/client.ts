/**
 * A small client of the OCI distribution API (`/v2/<repository>/...`) on Node's fetch:
 * manifests, blobs (ranged GETs for resumed downloads) and chunked blob uploads, with the
 * spec's auth handshake (auth.ts). HTTPS always, except plain HTTP to a loopback registry when
 * `PYRO_REGISTRY_INSECURE=1`. Every answer that is not what the spec promises becomes a
 * PyroError: `registry_unreachable` (no connection, no answer within 10 s), `registry_auth_failed`,
 * `registry_error`.
 */
import { PyroError } from "../../errors.js";
import { type BasicCredentials, basicHeader, findCredentials, parseChallenge } from "./auth.js";
import { isLoopbackRegistry, type Reference } from "./reference.js";

/** Longest wait for a registry's answer (its status and headers), in ms. */
export const REGISTRY_ANSWER_TIMEOUT_MS = 10_000;

export interface RegistryOptions {
  insecure: boolean;
  authFiles: string[];
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal | undefined;
  /** Statuses the caller handles itself (2xx always pass). */
  accept?: number[];
}

export class RegistryClient {
  readonly baseUrl: string;
  private authorization: string | undefined;
  private credentials: BasicCredentials | undefined | null = null;

  constructor(
    readonly ref: Reference,
    private readonly options: RegistryOptions,
    /** `pull` or `pull,push`: the scope a bearer token is asked for. */
    private readonly actions: string,
  ) {
    const plain = options.insecure && isLoopbackRegistry(ref.registry);
    this.baseUrl = `${plain ? "http" : "https"}://${ref.registry}/v2/${ref.repository}`;
  }

  /** `path` is relative to `/v2/<repository>` (`/manifests/x`) or an absolute URL (upload locations). */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    if (path.startsWith("/v2/")) return new URL(path, this.baseUrl).toString();
    return `${this.baseUrl}${path}`;
  }

  /**
   * Sends one request, answering an auth challenge once.
   * @throws PyroError registry_unreachable, registry_auth_failed, registry_error
   */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res = await this.send(path, init);
    if (res.status === 401 && (await this.answerChallenge(res))) res = await this.send(path, init);
    if (res.ok || init.accept?.includes(res.status)) return res;
    const body = await res.text().catch(() => "");
    if (res.status === 401 || res.status === 403) {
      throw new PyroError(
        "registry_auth_failed",
        `registry ${this.ref.registry} refused access to ${this.ref.repository} (HTTP ${res.status})`,
        {
          details: { registry: this.ref.registry, status: res.status },
          hint: "log in with `podman login` or `docker login` (pyro reads their credentials files), or check the repository name",
        },
      );
    }
    throw new PyroError(
      "registry_error",
      `registry ${this.ref.registry}: ${init.method ?? "GET"} ${path.split("?")[0]} answered HTTP ${res.status}${registryMessage(body)}`,
      {
        details: { registry: this.ref.registry, status: res.status },
      },
    );
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), REGISTRY_ANSWER_TIMEOUT_MS);
    const signal = init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
    const headers: Record<string, string> = { ...init.headers };
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await fetch(this.url(path), {
        method: init.method ?? "GET",
        headers,
        ...(init.body ? { body: init.body } : {}),
        signal,
        redirect: "follow",
      });
    } catch (err) {
      if (init.signal?.aborted) throw new PyroError("interrupted", "registry request interrupted");
      throw this.unreachable(err, timer.signal.aborted);
    } finally {
      clearTimeout(timeout);
    }
  }

  /** The error for a request that got no answer. */
  unreachable(err: unknown, timedOut = false): PyroError {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = timedOut
      ? `no answer within ${REGISTRY_ANSWER_TIMEOUT_MS / 1000} s`
      : (cause?.code ?? cause?.message ?? (err as Error).message);
    const plainHint =
      isLoopbackRegistry(this.ref.registry) && !this.options.insecure
        ? "; a plain-HTTP registry on this machine needs PYRO_REGISTRY_INSECURE=1"
        : "";
    return new PyroError("registry_unreachable", `registry ${this.ref.registry} is unreachable (${why})`, {
      cause: err,
      details: { registry: this.ref.registry, url: this.baseUrl },
      hint: `check that the registry runs and the address is right${plainHint}`,
    });
  }

  /** Takes the credentials a 401 asks for; false when there is nothing to try. */
  private async answerChallenge(res: Response): Promise<boolean> {
    await res.body?.cancel().catch(() => undefined);
    const challenge = parseChallenge(res.headers.get("www-authenticate") ?? "");
    if (this.credentials === null)
      this.credentials = await findCredentials(this.ref.registry, this.options.authFiles);
    const creds = this.credentials;
    if (challenge?.scheme === "basic") {
      if (!creds || this.authorization) return false;
      this.authorization = basicHeader(creds);
      return true;
    }
    if (challenge?.scheme !== "bearer" || !challenge.params.realm) return false;
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.set(
      "scope",
      challenge.params.scope ?? `repository:${this.ref.repository}:${this.actions}`,
    );
    let answer: Response;
    try {
      answer = await fetch(realm, {
        headers: creds ? { authorization: basicHeader(creds) } : {},
        signal: AbortSignal.timeout(REGISTRY_ANSWER_TIMEOUT_MS),
      });
    } catch (err) {
      throw this.unreachable(err);
    }
    if (!answer.ok) {
      throw new PyroError(
        "registry_auth_failed",
        `the token service of ${this.ref.registry} refused (HTTP ${answer.status})`,
        {
          details: { registry: this.ref.registry, status: answer.status },
          hint: "log in with `podman login` or `docker login`, or check the repository name",
        },
      );
    }
    const json = (await answer.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) return false;
    this.authorization = `Bearer ${token}`;
    return true;
  }
}

/** The first `errors[].message` of a distribution error body, for the error text. */
function registryMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    const e = json.errors?.[0];
    return e ? ` (${e.code ?? ""}${e.message ? `: ${e.message}` : ""})` : "";
  } catch {
    return "";
  }
}
