/**
 * Reading awsQuery parameters (`Targets.member.1.Id=…`) from a form-encoded request.
 */
import { SimApiError } from "./api-error.js";

/** Form parameters of the URL query and the body together. */
export function queryParams(search: string, body: Buffer): URLSearchParams {
  const params = new URLSearchParams(search);
  for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params.append(name, value);
  return params;
}

/** Values of `prefix.member.N`, in N order. */
export function memberValues(params: URLSearchParams, prefix: string): string[] {
  const found = new Map<number, string>();
  const pattern = new RegExp(`^${escapeRegExp(prefix)}\\.member\\.(\\d+)$`);
  for (const [name, value] of params) {
    const match = pattern.exec(name);
    if (match) found.set(Number(match[1]), value);
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** Structures `prefix.member.N.Field[.Sub…]=value`, in N order, as flat records keyed by the rest. */
export function memberStructs(params: URLSearchParams, prefix: string): Array<Record<string, string>> {
  const found = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${escapeRegExp(prefix)}\\.member\\.(\\d+)\\.(.+)$`);
  for (const [name, value] of params) {
    const match = pattern.exec(name);
    if (!match) continue;
    const index = Number(match[1]);
    const record = found.get(index) ?? {};
    record[match[2] ?? ""] = value;
    found.set(index, record);
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, record]) => record);
}

/** A required parameter; throws ValidationError naming it when missing or empty. */
export function requireParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === "") {
    throw new SimApiError(
      "ValidationError",
      `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** Parse an integer parameter value; throws ValidationError naming the field and the value. */
export function parseIntParam(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new SimApiError("ValidationError", `Value '${value}' at '${field}' is not an integer`);
  }
  return Number(value);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
