/**
 * Renders Terraform native syntax (HCL) from what CDKTF synthesizes, formatted the way `terraform fmt`
 * would: two-space indent, aligned `=` in runs of one-line attributes, a blank line around nested blocks.
 * Which keys are blocks and which are attributes comes from the provider bindings (`toHclTerraform()`
 * marks each value with `isBlock`); expressions are copied verbatim from CDKTF's `${…}` strings.
 */
import { hclString } from "../inputs/spec.js";
import { expressionEnd, LINE_WIDTH, layoutExpression, stringEnd } from "./layout.js";

/** A JSON-like value as CDKTF synthesizes it: strings may hold `${…}` expressions. */
export type Value =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Value[]
  | { readonly [key: string]: Value };

/** One entry of a block body; `comment` is written above it as `#` lines (why it is there, for a reviewer). */
export type Entry =
  | {
      readonly kind: "attribute";
      readonly name: string;
      readonly value: Value;
      readonly raw?: boolean;
      readonly comment?: string;
    }
  | {
      readonly kind: "block";
      readonly type: string;
      readonly labels: readonly string[];
      readonly body: readonly Entry[];
      readonly comment?: string;
    }
  | { readonly kind: "blank" };

/** A blank line that also ends an alignment run (before `depends_on`, as hand-written modules do). */
export const BLANK: Entry = { kind: "blank" };

/** An attribute; `raw` values are HCL expressions written as they are (types, references). */
export function attribute(name: string, value: Value, raw = false, comment?: string): Entry {
  return comment === undefined
    ? { kind: "attribute", name, value, raw }
    : { kind: "attribute", name, value, raw, comment };
}

/** A block such as `resource "aws_x" "this" { … }`. */
export function block(
  type: string,
  labels: readonly string[],
  body: readonly Entry[],
  comment?: string,
): Entry {
  return comment === undefined
    ? { kind: "block", type, labels, body }
    : { kind: "block", type, labels, body, comment };
}

/** `text` as `#` comment lines indented by `depth` levels, wrapped at the line width. */
export function commentLines(text: string, depth: number): string[] {
  const pad = "  ".repeat(depth);
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      if (line !== "" && pad.length + 2 + line.length + 1 + word.length > LINE_WIDTH) {
        lines.push(`${pad}# ${line}`);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(line === "" ? `${pad}#` : `${pad}# ${line}`);
  }
  return lines;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders top-level blocks (each after its comment), separated by one blank line, with a final newline. */
export function renderFile(blocks: readonly Entry[]): string {
  return `${blocks.map((b) => [...commentOf(b, 0), ...renderEntry(b, 0)].join("\n")).join("\n\n")}\n`;
}

function commentOf(entry: Entry, depth: number): string[] {
  return entry.kind !== "blank" && entry.comment !== undefined ? commentLines(entry.comment, depth) : [];
}

function renderEntry(entry: Entry, depth: number): string[] {
  const pad = "  ".repeat(depth);
  if (entry.kind === "blank") return [""];
  if (entry.kind === "attribute") {
    const column = pad.length + entry.name.length + 3;
    const value = entry.raw
      ? layoutExpression(String(entry.value), depth, column)
      : renderValue(entry.value, depth, column);
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
    const comment = commentOf(entry, depth);
    if (entry.kind === "attribute") {
      if (previous === "block") lines.push("");
      if (comment.length > 0) {
        // A comment ends the alignment run (as in terraform fmt) and opens a paragraph of its own.
        flush();
        if (previous !== undefined && previous !== "block") lines.push("");
        lines.push(...comment);
      }
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
      lines.push(...comment, ...rendered);
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

/**
 * A value in HCL: expressions unwrapped (and laid out over lines when long; `column` is where the value starts on
 * its line), strings as templates, lists and maps laid out.
 */
export function renderValue(value: Value, depth: number, column = 0): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return renderString(value, depth, column);
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
  // As terraform fmt: runs of one-line items aligned, a multi-line item unpadded.
  const items = entries.map(([, v], i) => {
    const key = keys[i] ?? "";
    const oneLine = renderValue(v, depth + 1, pad.length + 2 + width + 3);
    if (!oneLine.includes("\n")) return { key, value: oneLine };
    return { key, value: renderValue(v, depth + 1, pad.length + 2 + key.length + 3) };
  });
  const lines: string[] = [];
  let run: { key: string; value: string }[] = [];
  const flush = (): void => {
    const w = Math.max(0, ...run.map((r) => r.key.length));
    for (const r of run) lines.push(`${pad}  ${r.key.padEnd(w)} = ${r.value}`);
    run = [];
  };
  for (const item of items) {
    if (item.value.includes("\n")) {
      flush();
      lines.push(`${pad}  ${item.key} = ${item.value}`);
    } else {
      run.push(item);
    }
  }
  flush();
  return `{\n${lines.join("\n")}\n${pad}}`;
}

/** A part of a template string: literal text (already in template escaping) or an expression. */
type Part = { readonly literal: string } | { readonly expression: string };

/**
 * Renders a CDKTF string: a lone `${expr}` becomes `expr`; anything else a quoted template with the
 * expressions kept and the literal text escaped for HCL (`$${` and `%%{` stay, they are template escapes).
 */
export function renderString(value: string, depth = 0, column = 0): string {
  const parts = templateParts(value);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && "expression" in only)
    return layoutExpression(tidyForExpressions(spaceObjectBraces(only.expression.trim())), depth, column);
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

/** Where the comments of nested blocks come from: a precondition's by its message, a statement's by its sid. */
export interface NestedComments {
  precondition(errorMessage: string): string | undefined;
  statement(sid: string): string | undefined;
}

const NO_COMMENTS: NestedComments = { precondition: () => undefined, statement: () => undefined };

/**
 * The body of a resource or data block from its resolved `toHclTerraform()` attributes: meta-arguments
 * first (`count`), then attributes (`tags` last), nested blocks, `depends_on` and `lifecycle`.
 */
export function bodyFromFragment(
  attributes: Readonly<Record<string, unknown>>,
  comments: NestedComments = NO_COMMENTS,
): Entry[] {
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
      last.push(block("lifecycle", [], lifecycleBody(raw as Readonly<Record<string, unknown>>, comments)));
    } else if (isWrapped(raw)) {
      const dynamic = dynamicOf(raw);
      if (dynamic !== undefined) {
        blocks.push(dynamicBlock(key, dynamic, comments));
        continue;
      }
      if (raw.value === undefined || raw.value === null) continue;
      if (raw.isBlock) blocks.push(...blocksFromWrapped(key, raw.value, comments));
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

function blocksFromWrapped(type: string, value: unknown, comments: NestedComments): Entry[] {
  const one = (v: unknown): Entry =>
    block(type, [], bodyFromWrappedObject(v, comments), statementComment(type, v, comments));
  return Array.isArray(value) ? value.map(one) : [one(value)];
}

/** The comment of a policy `statement` block, by its sid (plain or as `toHclTerraform()` wraps it). */
function statementComment(type: string, value: unknown, comments: NestedComments): string | undefined {
  if (type !== "statement" || typeof value !== "object" || value === null || !("sid" in value))
    return undefined;
  const sid = (value as { sid: unknown }).sid;
  const text = isWrapped(sid) ? sid.value : sid;
  return typeof text === "string" ? comments.statement(text) : undefined;
}

function bodyFromWrappedObject(value: unknown, comments: NestedComments): Entry[] {
  if (typeof value !== "object" || value === null) return [];
  const attrs: Entry[] = [];
  const blocks: Entry[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (!isWrapped(raw)) {
      if (raw !== undefined) attrs.push(attribute(key, raw as Value));
      continue;
    }
    if (raw.value === undefined || raw.value === null) continue;
    if (raw.isBlock) blocks.push(...blocksFromWrapped(key, raw.value, comments));
    else attrs.push(attribute(key, raw.value as Value));
  }
  return [...attrs, ...blocks];
}

/**
 * `dynamic "type" { for_each, iterator, content { … } }`. CDKTF passes the content unwrapped, so a list of
 * objects inside it is taken to be nested blocks (true for the policy statements this module renders).
 */
function dynamicBlock(
  type: string,
  dynamic: Readonly<Record<string, unknown>>,
  comments: NestedComments,
): Entry {
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
    statementComment(type, content, comments),
  );
}

function plainBody(value: Readonly<Record<string, Value>>): Entry[] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => attribute(k, v));
}

function lifecycleBody(lifecycle: Readonly<Record<string, unknown>>, comments: NestedComments): Entry[] {
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(lifecycle)) {
    if (value === undefined) continue;
    if (key === "precondition" || key === "postcondition") {
      for (const c of value as { condition: string; error_message: string }[]) {
        entries.push(
          block(
            key,
            [],
            [attribute("condition", c.condition), attribute("error_message", c.error_message)],
            comments.precondition(c.error_message),
          ),
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
