/**
 * A typed client for the control API, for tests and benchmarks that run the world in another
 * process (`npm run sim -- --json`). Uses the global `fetch`.
 */

import type { ForeignInjection } from "./dns-foreign.js";
import type { AlbRequest, FaultSet, WorldInfo, WorldState } from "./types.js";

/** Thrown when the control API answers with an error. */
export class SimControlError extends Error {
  override readonly name = "SimControlError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Control a running world over HTTP.
 *
 * @example
 * const sim = new SimControl(info.control);
 * await sim.alb({ count: 12 });
 * const { targetGroups } = await sim.state();
 */
export class SimControl {
  private readonly base: string;

  constructor(controlUrl: string) {
    this.base = controlUrl.replace(/\/+$/, "");
  }

  /** The world's connection info. */
  info(): Promise<WorldInfo> {
    return this.call<WorldInfo>("GET", "/info");
  }

  /** Snapshot of the whole world. */
  state(): Promise<WorldState> {
    return this.call<WorldState>("GET", "/state");
  }

  /** Set the ALB's IPs (`{ ips }`) or scale it (`{ count }`); returns the new IPs. */
  async alb(request: AlbRequest): Promise<string[]> {
    return (await this.call<{ ips: string[] }>("POST", "/alb", request)).ips;
  }

  /** Replace the fault set (`{}` clears); returns the set now in force. */
  faults(faults: FaultSet): Promise<FaultSet> {
    return this.call<FaultSet>("POST", "/faults", faults);
  }

  /** Forge DNS answers with foreign IPs (`sim/dns-foreign.ts`); `null` stops it. */
  async injectForeign(spec: ForeignInjection | null): Promise<void> {
    await this.call<{ ok: true }>("POST", "/dns/foreign", spec ?? {});
  }

  /** Back to the initial world. */
  async reset(): Promise<void> {
    await this.call<{ ok: true }>("POST", "/reset", {});
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new SimControlError(
        `${method} ${path} failed with ${response.status}: ${error?.message ?? text}`,
        response.status,
        error?.code ?? "unknown",
      );
    }
    return parsed as T;
  }
}
