/**
 * Renders Terraform native syntax (HCL) from what CDKTF synthesizes, formatted the way `terraform fmt`
 * would: two-space indent, aligned `=` in runs of one-line attributes, a blank line around nested blocks.
 * Which keys are blocks and which are attributes comes from the provider bindings (`toHclTerraform()`
 * marks each value with `isBlock`); expressions are copied verbatim from CDKTF's `${…}` strings.
 */
import { hclString } from "../inputs/spec.js";

/** A JSON-like value as CDKTF synthesizes it: strings may hold `${…}` expressions. */
export type Value =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Value[]
  | { readonly [key: string]: Value };

/** One entry of a block body. */
export type Entry =
  | { readonly kind: "attribute"; readonly name: string; readonly value: Value; readonly raw?: boolean }
  | {
      readonly kind: "block";
      readonly type: string;
      readonly labels: readonly string[];
      readonly body: readonly Entry[];
    }
  | { readonly kind: "blank" };

/** A blank line that also ends an alignment run (before `depends_on`, as hand-written modules do). */
export const BLANK: Entry = { kind: "blank" };

/** An attribute; `raw` values are HCL expressions written as they are (types, references). */
export function attribute(name: string, value: Value, raw = false): Entry {
  return { kind: "attribute", name, value, raw };
}

/** A block such as `resource "aws_x" "this" { … }`. */
export function block(type: string, labels: readonly string[], body: readonly Entry[]): Entry {
  return { kind: "block", type, labels, body };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders top-level blocks, separated by one blank line, with a final newline. */
export function renderFile(blocks: readonly Entry[]): string {
  return `${blocks.map((b) => renderEntry(b, 0).join("\n")).join("\n\n")}\n`;
}

function renderEntry(entry: Entry, depth: number): string[] {
  const pad = "  ".repeat(depth);
  if (entry.kind === "blank") return [""];
  if (entry.kind === "attribute") {
    const value = entry.raw ? String(entry.value) : renderValue(entry.value, depth);
    return `${pad}${entry.name} = ${value}`.split("\n");
  }
  const header = [entry.type, ...entry.labels.map((l) => hclString(l))].join(" ");
  if (entry.body.length === 0) return [`${pad}${header} {}`];
  return [`${pad}${header} {`, ...renderBody(entry.body, depth + 1), `${pad}}`];
}

/** Lines of a body: runs of one-line attributes aligned, blank lines between attributes and blocks. */
function renderBody(entries: readonly Entry[], depth: number): string[] {
  const lines: string[] = [];
  let run: { name: string; lines: string[] }[] = [];
  let previous: "attributes" | "block" | undefined;
  const flush = (): void => {
    if (run.length === 0) return;
    const width = Math.max(...run.map((a) => a.name.length), 0);
    for (const a of run) {
      const [indent, rest] = splitIndent(a.lines[0] ?? "");
      const eq = rest.indexOf(" = ");
      lines.push(`${indent}${rest.slice(0, eq).padEnd(width)}${rest.slice(eq)}`, ...a.lines.slice(1));
    }
    run = [];
  };
  for (const entry of entries) {
    if (entry.kind === "blank") {
      flush();
      if (previous !== undefined) lines.push("");
      previous = undefined;
      continue;
    }
    const rendered = renderEntry(entry, depth);
    if (entry.kind === "attribute") {
      if (previous === "block") lines.push("");
      if (rendered.length > 1) {
        // Like terraform fmt: a multi-line attribute ends the alignment run and is not padded itself.
        flush();
        lines.push(...rendered);
      } else {
        run.push({ name: entry.name, lines: rendered });
      }
      previous = "attributes";
    } else {
      flush();
      if (previous !== undefined) lines.push("");
      lines.push(...rendered);
      previous = "block";
    }
  }
  flush();
  return lines;
}

function splitIndent(line: string): [string, string] {
  const match = /^(\s*)(.*)$/.exec(line);
  return [match?.[1] ?? "", match?.[2] ?? line];
}

/** A value in HCL: expressions unwrapped, strings as templates, lists and maps laid out. */
export function renderValue(value: Value, depth: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return renderString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const pad = "  ".repeat(depth);
  if (Array.isArray(value)) {
    const items = (value as readonly Value[]).map((v) => renderValue(v, depth + 1));
    const oneLine = `[${items.join(", ")}]`;
    if (!items.some((i) => i.includes("\n")) && oneLine.length + depth * 2 <= 100) return oneLine;
    return `[\n${items.map((i) => `${pad}  ${i},`).join("\n")}\n${pad}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: Value }).filter(
    ([, v]) => v !== undefined,
  );
  if (entries.length === 0) return "{}";
  const keys = entries.map(([k]) => (IDENTIFIER.test(k) ? k : hclString(k)));
  const width = Math.max(...keys.map((k) => k.length));
  const lines = entries.map(
    ([, v], i) => `${pad}  ${(keys[i] ?? "").padEnd(width)} = ${renderValue(v, depth + 1)}`,
  );
  return `{\n${lines.join("\n")}\n${pad}}`;
}

/** A part of a template string: literal text (already in template escaping) or an expression. */
type Part = { readonly literal: string } | { readonly expression: string };

/**
 * Renders a CDKTF string: a lone `${expr}` becomes `expr`; anything else a quoted template with the
 * expressions kept and the literal text escaped for HCL (`$${` and `%%{` stay, they are template escapes).
 */
export function renderString(value: string): string {
  const parts = templateParts(value);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && "expression" in only)
    return tidyForExpressions(spaceObjectBraces(only.expression.trim()));
  const body = parts
    .map((p) =>
      "expression" in p
        ? `\${${tidyForExpressions(spaceObjectBraces(p.expression))}}`
        : p.literal
            .replace(/\\/g, "\\\\")
            .replace(/"/g, '\\"')
            .replace(/\n/g, "\\n")
            .replace(/\r/g, "\\r")
            .replace(/\t/g, "\\t"),
    )
    .join("");
  return `"${body}"`;
}

/**
 * `{"K" = v}` → `{ "K" = v }`, as terraform fmt writes one-line object constructors (CDKTF writes them without
 * the spaces). Only braces outside string literals that open an object with a quoted key are touched.
 */
export function spaceObjectBraces(expression: string): string {
  let out = "";
  const stack: boolean[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === '"') {
      const end = stringEnd(expression, i + 1);
      out += expression.slice(i, end);
      i = end;
      continue;
    }
    if (c === "{") {
      const spaced = expression[i + 1] === '"';
      stack.push(spaced);
      out += spaced ? "{ " : "{";
    } else if (c === "}") {
      const spaced = stack.pop() ?? false;
      out += spaced && !out.endsWith(" ") ? " }" : "}";
    } else {
      out += c;
    }
    i += 1;
  }
  return out;
}

/**
 * `[ for k, v in x: e]` → `[for k, v in x : e]`, as terraform fmt writes for-expressions (CDKTF writes a space
 * after the bracket and none before the colon). The colon is the first one outside brackets and strings.
 */
export function tidyForExpressions(expression: string): string {
  let out = expression;
  let from = 0;
  for (;;) {
    const start = out.indexOf("[ for ", from);
    if (start < 0) return out;
    out = `${out.slice(0, start)}[for ${out.slice(start + 6)}`;
    const inAt = out.indexOf(" in ", start);
    let depth = 0;
    let i = inAt < 0 ? out.length : inAt + 4;
    while (i < out.length) {
      const c = out[i];
      if (c === '"') {
        i = stringEnd(out, i + 1);
        continue;
      }
      if (c === "(" || c === "[" || c === "{") depth += 1;
      else if (c === ")" || c === "]" || c === "}") depth -= 1;
      else if (c === ":" && depth === 0) {
        if (out[i - 1] !== " ") out = `${out.slice(0, i)} ${out.slice(i)}`;
        break;
      }
      i += 1;
    }
    from = start + 5;
  }
}

/** Splits a template into literal and `${…}` parts, respecting nested braces and quoted strings. */
export function templateParts(value: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("$${", i) || value.startsWith("%%{", i)) {
      literal += value.slice(i, i + 3);
      i += 3;
    } else if (value.startsWith("${", i)) {
      const end = expressionEnd(value, i + 2);
      if (literal !== "") parts.push({ literal });
      literal = "";
      parts.push({ expression: value.slice(i + 2, end) });
      i = end + 1;
    } else {
      literal += value[i];
      i += 1;
    }
  }
  if (literal !== "" || parts.length === 0) parts.push({ literal });
  return parts;
}

/** Index of the `}` that closes an expression starting at `start`. */
function expressionEnd(value: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      i = stringEnd(value, i + 1);
      continue;
    }
    if (c === "{") depth += 1;
    if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  throw new Error(`Unterminated \${ in ${JSON.stringify(value)}: the expression has no closing }.`);
}

/** Index just after the `"` that closes a quoted string whose content starts at `start`. */
function stringEnd(value: string, start: number): number {
  let i = start;
  while (i < value.length) {
    if (value[i] === "\\") i += 2;
    else if (value[i] === '"') return i + 1;
    else if (value.startsWith("$${", i)) i += 3;
    else if (value.startsWith("${", i)) i = expressionEnd(value, i + 2) + 1;
    else i += 1;
  }
  throw new Error(`Unterminated string in ${JSON.stringify(value)}.`);
}

// ---------------------------------------------------------------------------------------------------
// From CDKTF's `toHclTerraform()` fragments to entries
// ---------------------------------------------------------------------------------------------------

/** A value as `toHclTerraform()` wraps it. */
interface Wrapped {
  readonly value: unknown;
  readonly isBlock: boolean;
}

function isWrapped(value: unknown): value is Wrapped {
  return (
    typeof value === "object" &&
    value !== null &&
    "isBlock" in value &&
    ("value" in value || "dynamic" in value)
  );
}

/** A wrapped block given as `dynamic` (an iterator) rather than a value. */
function dynamicOf(value: Wrapped): Readonly<Record<string, unknown>> | undefined {
  const dynamic = (value as { dynamic?: { value?: Record<string, unknown> } }).dynamic;
  return dynamic?.value;
}

const META_FIRST = ["count", "for_each", "provider"];
const META_LAST = ["depends_on", "lifecycle"];

/**
 * The body of a resource or data block from its resolved `toHclTerraform()` attributes: meta-arguments
 * first (`count`), then attributes (`tags` last), nested blocks, `depends_on` and `lifecycle`.
 */
export function bodyFromFragment(attributes: Readonly<Record<string, unknown>>): Entry[] {
  const first: Entry[] = [];
  const plain: Entry[] = [];
  const tags: Entry[] = [];
  const blocks: Entry[] = [];
  const last: Entry[] = [];
  for (const [key, raw] of Object.entries(attributes)) {
    if (key === "//" || raw === undefined) continue;
    if (META_FIRST.includes(key)) {
      first.push(attribute(key, raw as Value));
    } else if (key === "depends_on") {
      const refs = (raw as string[]).map((r) => r.replace(/^\$\{(.*)\}$/, "$1"));
      last.push(attribute(key, `[${refs.join(", ")}]`, true));
    } else if (key === "lifecycle") {
      last.push(block("lifecycle", [], lifecycleBody(raw as Readonly<Record<string, unknown>>)));
    } else if (isWrapped(raw)) {
      const dynamic = dynamicOf(raw);
      if (dynamic !== undefined) {
        blocks.push(dynamicBlock(key, dynamic));
        continue;
      }
      if (raw.value === undefined || raw.value === null) continue;
      if (raw.isBlock) blocks.push(...blocksFromWrapped(key, raw.value));
      else (key === "tags" ? tags : plain).push(attribute(key, raw.value as Value));
    } else {
      plain.push(attribute(key, raw as Value));
    }
  }
  const tail = last.sort((a, b) => order(a) - order(b));
  return [...first, ...plain, ...tags, ...blocks, ...(tail.length > 0 ? [BLANK, ...tail] : [])];
}

function order(entry: Entry): number {
  if (entry.kind === "blank") return -1;
  return META_LAST.indexOf(entry.kind === "attribute" ? entry.name : entry.type);
}

function blocksFromWrapped(type: string, value: unknown): Entry[] {
  if (Array.isArray(value)) return value.map((v) => block(type, [], bodyFromWrappedObject(v)));
  return [block(type, [], bodyFromWrappedObject(value))];
}

function bodyFromWrappedObject(value: unknown): Entry[] {
  if (typeof value !== "object" || value === null) return [];
  const attrs: Entry[] = [];
  const blocks: Entry[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (!isWrapped(raw)) {
      if (raw !== undefined) attrs.push(attribute(key, raw as Value));
      continue;
    }
    if (raw.value === undefined || raw.value === null) continue;
    if (raw.isBlock) blocks.push(...blocksFromWrapped(key, raw.value));
    else attrs.push(attribute(key, raw.value as Value));
  }
  return [...attrs, ...blocks];
}

/**
 * `dynamic "type" { for_each, iterator, content { … } }`. CDKTF passes the content unwrapped, so a list of
 * objects inside it is taken to be nested blocks (true for the policy statements this module renders).
 */
function dynamicBlock(type: string, dynamic: Readonly<Record<string, unknown>>): Entry {
  const content = (dynamic.content ?? {}) as Readonly<Record<string, Value>>;
  const body: Entry[] = [];
  const nested: Entry[] = [];
  for (const [key, v] of Object.entries(content)) {
    if (v === undefined) continue;
    if (
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x))
    ) {
      for (const item of v) nested.push(block(key, [], plainBody(item as Readonly<Record<string, Value>>)));
    } else {
      body.push(attribute(key, v));
    }
  }
  return block(
    "dynamic",
    [type],
    [
      attribute("for_each", dynamic.for_each as Value),
      attribute("iterator", String(dynamic.iterator), true),
      block("content", [], [...body, ...nested]),
    ],
  );
}

function plainBody(value: Readonly<Record<string, Value>>): Entry[] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => attribute(k, v));
}

function lifecycleBody(lifecycle: Readonly<Record<string, unknown>>): Entry[] {
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(lifecycle)) {
    if (value === undefined) continue;
    if (key === "precondition" || key === "postcondition") {
      for (const c of value as { condition: string; error_message: string }[]) {
        entries.push(
          block(key, [], [attribute("condition", c.condition), attribute("error_message", c.error_message)]),
        );
      }
    } else if (key === "ignore_changes" || key === "replace_triggered_by") {
      entries.push(attribute(key, `[${(value as string[]).join(", ")}]`, true));
    } else {
      entries.push(attribute(key, value as Value));
    }
  }
  return entries;
}
