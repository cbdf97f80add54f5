/**
 * The control API: HTTP JSON on loopback to script scenarios from tests, benchmarks, the demo
 * and curl. `GET /state`, `GET /info`, `GET /faults`, `POST /alb`, `POST /faults`, `POST /dns`,
 * `POST /dns/foreign`, `POST /health`, `POST /network`, `POST /enis/lookalike`, `POST /ec2`, `POST /reset`.
 */
import type http from "node:http";
import { SimApiError, SimInputError } from "./api-error.js";
import type { DnsBehaviour } from "./dns-answers.js";
import type { ForeignInjection } from "./dns-foreign.js";
import type { FaultSet } from "./faults.js";
import { type Handler, readBody } from "./http.js";
import type { NetworkChange } from "./network.js";
import type { WorldInfo, WorldState } from "./types.js";

/** What the control API drives. */
export interface ControlTarget {
  readonly info: WorldInfo;
  state(): WorldState;
  setAlbIps(ips: string[]): string[];
  scaleAlb(count: number): string[];
  setFaults(faults: unknown): FaultSet;
  injectForeign(spec: ForeignInjection | null): void;
  setDnsBehaviours(behaviours: ReadonlyArray<DnsBehaviour | null>): void;
  setHealthOutage(ms: number): void;
  changeNetwork(change: NetworkChange): void;
  addLookalikeInterface(ip?: string): { id: string; ip: string };
  setEc2IgnoredFilters(names: string[]): void;
  reset(): void;
}

const ROUTES =
  "GET /state, GET /info, GET /faults, POST /alb, POST /faults, POST /dns, POST /dns/foreign, POST /health, POST /network, POST /enis/lookalike, POST /ec2, POST /reset";

/**
 * The HTTP handler of the control API. Errors answer `{ "error": { "code", "message" } }`.
 *
 * @example
 * const control = await listenLoopback(controlHandler(() => world));
 */
export function controlHandler(target: () => ControlTarget): Handler {
  return async (req, res) => {
    const route = `${req.method ?? "GET"} ${new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/"}`;
    try {
      const body = await readBody(req, 1024 * 1024);
      const world = target();
      switch (route) {
        case "GET /":
        case "GET /info":
          return sendJson(res, 200, world.info);
        case "GET /state":
          return sendJson(res, 200, world.state());
        case "GET /faults":
          return sendJson(res, 200, world.state().faults);
        case "POST /alb":
          return sendJson(res, 200, { ips: albChange(world, parseJson(body)) });
        case "POST /faults":
          return sendJson(res, 200, world.setFaults(parseJson(body)));
        case "POST /dns": {
          const request = parseJson(body) as { servers?: unknown };
          if (!Array.isArray(request?.servers)) {
            throw new SimInputError(
              `POST /dns takes {"servers": [{"model": "uniform" | "caching" | "stale" | "short" | "azBalanced" | "fixed", …}, …]}; got ${JSON.stringify(request)}`,
            );
          }
          world.setDnsBehaviours(request.servers as DnsBehaviour[]);
          return sendJson(res, 200, { servers: world.state().dns.servers });
        }
        case "POST /health": {
          const request = parseJson(body) as { outageMs?: unknown };
          if (typeof request?.outageMs !== "number") {
            throw new SimInputError(`POST /health takes {"outageMs": N}; got ${JSON.stringify(request)}`);
          }
          world.setHealthOutage(request.outageMs);
          return sendJson(res, 200, { ok: true });
        }
        case "POST /dns/foreign": {
          const spec = parseJson(body);
          const clear = spec === null || (typeof spec === "object" && Object.keys(spec).length === 0);
          world.injectForeign(clear ? null : (spec as ForeignInjection));
          return sendJson(res, 200, { ok: true });
        }
        case "POST /network":
          world.changeNetwork(parseJson(body) as NetworkChange);
          return sendJson(res, 200, { ok: true });
        case "POST /enis/lookalike": {
          const request = parseJson(body) as { ip?: unknown };
          if (request?.ip !== undefined && typeof request.ip !== "string") {
            throw new SimInputError(
              `POST /enis/lookalike takes {} or {"ip": "10.0.1.5"}; got ${JSON.stringify(request)}`,
            );
          }
          return sendJson(res, 200, world.addLookalikeInterface(request?.ip));
        }
        case "POST /ec2": {
          const request = parseJson(body) as { ignoreFilters?: unknown };
          world.setEc2IgnoredFilters(request?.ignoreFilters as string[]);
          return sendJson(res, 200, { ignoreFilters: request?.ignoreFilters });
        }
        case "POST /reset":
          world.reset();
          return sendJson(res, 200, { ok: true });
        default:
          return sendJson(res, 404, {
            error: { code: "not_found", message: `No route ${route}; the control API has ${ROUTES}` },
          });
      }
    } catch (error) {
      if (error instanceof SimInputError || error instanceof SimApiError) {
        return sendJson(res, 400, { error: { code: "invalid_request", message: error.message } });
      }
      const message = error instanceof Error ? error.message : String(error);
      return sendJson(res, 500, { error: { code: "internal_error", message } });
    }
  };
}

function albChange(world: ControlTarget, body: unknown): string[] {
  const request = (typeof body === "object" && body !== null ? body : {}) as {
    ips?: unknown;
    count?: unknown;
  };
  if (Array.isArray(request.ips) && request.count === undefined)
    return world.setAlbIps(request.ips as string[]);
  if (typeof request.count === "number" && request.ips === undefined) return world.scaleAlb(request.count);
  throw new SimInputError(
    `POST /alb takes {"ips": ["10.0.1.5", …]} or {"count": N}; got ${JSON.stringify(body)}`,
  );
}

function parseJson(body: Buffer): unknown {
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimInputError(
      `Request body is not valid JSON (${(error as Error).message}): ${text.slice(0, 200)}`,
    );
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
