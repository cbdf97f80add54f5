/**
 * Lays out a long HCL expression over several lines, the way a person writes it and `terraform fmt` keeps it:
 * a function call, tuple or object that does not fit is opened on its line and gets one item per line (calls
 * and tuples with a trailing comma, objects with their `=` aligned), a call whose one argument is an object or
 * tuple hugs it (`jsonencode({`), a conditional that does not fit becomes a parenthesised chain with one
 * `condition ? result :` per line, and a `for` expression gets a line of its own. String literals are never
 * split. The result means exactly what the one-line expression means: only line breaks, indentation, trailing
 * commas and the parentheses around a chain are added.
 */

/** The width a line should keep to; a line that cannot be broken (a long string literal) may pass it. */
export const LINE_WIDTH = 120;

type Text = { readonly kind: "text"; readonly text: string };
type Group = {
  readonly kind: "group";
  readonly open: "(" | "[" | "{";
  readonly close: ")" | "]" | "}";
  /** The group exactly as written, brackets included. */
  readonly source: string;
  /** `(` right after a name: a function call, whose arguments are separated by commas. */
  readonly call: boolean;
  /** `[for …]` or `{ for … }`: one item (the commas of `for k, v in` separate nothing). */
  readonly forExpression: boolean;
  readonly items: readonly Seq[];
};
type Node = Text | Group;
type Seq = readonly Node[];

const CLOSE = { "(": ")", "[": "]", "{": "}" } as const;

/** Index of the `}` that closes an expression starting at `start`. */
export function expressionEnd(value: string, start: number): number {
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
export function stringEnd(value: string, start: number): number {
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

/**
 * Parses `expression` from `start` up to the bracket `stop` (or the end), into items split at commas of this
 * level (only inside brackets). Returns the items and the index of `stop`.
 */
function parseItems(
  expression: string,
  start: number,
  stop: string | undefined,
): { items: Node[][]; end: number } {
  const items: Node[][] = [[]];
  let text = "";
  const current = (): Node[] => items[items.length - 1] as Node[];
  const flush = (): void => {
    if (text !== "") current().push({ kind: "text", text });
    text = "";
  };
  let i = start;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === stop) break;
    if (c === '"') {
      const end = stringEnd(expression, i + 1);
      text += expression.slice(i, end);
      i = end;
    } else if (c === "(" || c === "[" || c === "{") {
      const call = c === "(" && /[A-Za-z0-9_]$/.test(text);
      flush();
      const close = CLOSE[c];
      const inner = parseItems(expression, i + 1, close);
      const source = expression.slice(i, inner.end + 1);
      const forExpression = c !== "(" && /^\s*for\s/.test(source.slice(1));
      const groupItems = forExpression ? [joinItems(inner.items)] : inner.items;
      current().push({ kind: "group", open: c, close, source, call, forExpression, items: groupItems });
      i = inner.end + 1;
    } else if (c === "," && stop !== undefined) {
      flush();
      items.push([]);
      i += 1;
    } else {
      text += c;
      i += 1;
    }
  }
  flush();
  return { items, end: i };
}

/** The items of a `for` expression joined back into one, with their commas. */
function joinItems(items: readonly Node[][]): Node[] {
  return items.flatMap((item, n) => (n === 0 ? item : [{ kind: "text", text: "," } as Node, ...item]));
}

/** The expression as one sequence of text and groups. */
function parse(expression: string): Seq {
  return parseItems(expression, 0, undefined).items[0] ?? [];
}

function flat(seq: Seq): string {
  return seq.map((n) => (n.kind === "text" ? n.text : n.source)).join("");
}

/** `seq` without leading and trailing white space. */
function trim(seq: Seq): Seq {
  const out = [...seq];
  const first = out[0];
  if (first?.kind === "text") {
    const text = first.text.trimStart();
    if (text === "") out.shift();
    else out[0] = { kind: "text", text };
  }
  const last = out[out.length - 1];
  if (last?.kind === "text") {
    const text = last.text.trimEnd();
    if (text === "") out.pop();
    else out[out.length - 1] = { kind: "text", text };
  }
  return out;
}

const pad = (indent: number): string => "  ".repeat(indent);

/** Width of the last line of `text`. */
function lastLineWidth(text: string, column: number): number {
  const nl = text.lastIndexOf("\n");
  return nl < 0 ? column + text.length : text.length - nl - 1;
}

/** An operator at this level of a sequence: its text node, its offset there and the operator. */
type Operator = { readonly node: number; readonly at: number; readonly op: string };

/** The operators `ops` (each with a space on both sides) at this level of `seq`, outside string literals. */
function operators(seq: Seq, ops: readonly string[]): Operator[] {
  const found: Operator[] = [];
  seq.forEach((n, node) => {
    if (n.kind !== "text") return;
    let i = 0;
    while (i < n.text.length) {
      if (n.text[i] === '"') {
        i = stringEnd(n.text, i + 1);
        continue;
      }
      const op = i > 0 ? ops.find((o) => n.text.startsWith(` ${o} `, i - 1)) : undefined;
      if (op !== undefined) {
        found.push({ node, at: i, op });
        i += op.length;
        continue;
      }
      i += 1;
    }
  });
  return found;
}

/** The part of `seq` after the operator `from` and before the operator `to` (undefined: the start, the end). */
function between(seq: Seq, from: Operator | undefined, to: Operator | undefined): Seq {
  const out: Node[] = [];
  seq.forEach((n, i) => {
    if ((from !== undefined && i < from.node) || (to !== undefined && i > to.node)) return;
    if (n.kind === "group") {
      out.push(n);
      return;
    }
    const start = from !== undefined && i === from.node ? from.at + from.op.length : 0;
    const end = to !== undefined && i === to.node ? to.at : n.text.length;
    if (end > start) out.push({ kind: "text", text: n.text.slice(start, end) });
  });
  return trim(out);
}

/**
 * A conditional `c1 ? r1 : c2 ? r2 : e` as [c1, r1, c2, r2, e] (an `else` branch in parentheses continues the
 * chain), or undefined when `seq` is no conditional at this level.
 */
function chain(seq: Seq): Seq[] | undefined {
  const ops = operators(seq, ["?", ":"]);
  const question = ops[0];
  if (question?.op !== "?") return undefined;
  let open = 0;
  for (const op of ops) {
    open += op.op === "?" ? 1 : -1;
    if (open !== 0) continue;
    const otherwise = between(seq, op, undefined);
    const only = otherwise.length === 1 ? otherwise[0] : undefined;
    const parenthesised =
      only?.kind === "group" && only.open === "(" && !only.call ? only.items[0] : undefined;
    const tail = (parenthesised === undefined ? undefined : chain(trim(parenthesised))) ?? chain(otherwise);
    return [between(seq, undefined, question), between(seq, question, op), ...(tail ?? [otherwise])];
  }
  return undefined;
}

/** How a sequence may be broken: `chains` (a conditional may become a chain), `bare` (it is in parentheses). */
type Mode = { readonly chains: boolean; readonly bare: boolean };
const VALUE: Mode = { chains: true, bare: false };
const ARGUMENT: Mode = { chains: false, bare: false };

/**
 * `seq` laid out starting at `column` on a line indented by `indent` levels, `tail` characters (a comma, a closing
 * bracket) still to follow on its last line.
 */
function layoutSeq(seq: Seq, indent: number, column: number, tail: number, mode: Mode = VALUE): string {
  const oneLine = flat(seq);
  if (column + oneLine.length + tail <= LINE_WIDTH) return oneLine;
  const parts = mode.chains ? chain(seq) : undefined;
  if (parts !== undefined) return layoutLines(conditionalLines(parts), indent, mode.bare);
  // Three or more operands of && and || read best one per line, each operator at the end of its line.
  const logical = operators(seq, ["&&", "||"]);
  if (logical.length >= 2) return layoutLines(operandLines(seq, logical), indent, mode.bare);
  let out = "";
  let col = column;
  seq.forEach((node, i) => {
    if (node.kind === "text") {
      out += node.text;
      col += node.text.length;
      return;
    }
    const next = seq[i + 1];
    const following = next?.kind === "text" ? next.text.length : 0;
    const rest = i + 1 >= seq.length || (i + 2 >= seq.length && next?.kind === "text") ? tail : 0;
    if (
      col + node.source.length + following + rest <= LINE_WIDTH ||
      node.items.every((s) => s.length === 0)
    ) {
      out += node.source;
      col += node.source.length;
      return;
    }
    const broken = layoutGroup(node, indent, col);
    out += broken;
    col = lastLineWidth(broken, col);
  });
  return out;
}

/** A conditional chain as lines: one `condition ? result :` each, then the last result. */
function conditionalLines(parts: readonly Seq[]): Seq[] {
  const lines: Seq[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    lines.push([
      ...(parts[i] as Seq),
      { kind: "text", text: " ? " },
      ...(parts[i + 1] as Seq),
      { kind: "text", text: " :" },
    ]);
  }
  lines.push(parts[parts.length - 1] as Seq);
  return lines;
}

/** The operands of `ops` (&& and ||) as lines, each but the last ending with its operator. */
function operandLines(seq: Seq, ops: readonly Operator[]): Seq[] {
  return [undefined, ...ops].map((from, i) => {
    const to = ops[i];
    const operand = between(seq, from, to);
    return to === undefined ? operand : [...operand, { kind: "text", text: ` ${to.op}` } as Node];
  });
}

/**
 * The lines of one broken expression, in parentheses of their own (outside brackets a newline would end the
 * attribute), or `bare` where the expression already fills parentheses. Only the last line may be a chain again
 * (the `else` of a conditional); a `condition ? result :` line is kept whole.
 */
function layoutLines(lines: readonly Seq[], indent: number, bare: boolean): string {
  const at = bare ? indent : indent + 1;
  const laid = lines.map((line, i) =>
    layoutSeq(line, at, at * 2, 0, { chains: i === lines.length - 1, bare: false }),
  );
  if (bare) return laid.join(`\n${pad(at)}`);
  return `(\n${laid.map((l) => `${pad(at)}${l}`).join("\n")}\n${pad(indent)})`;
}

/** A group opened at `column` on a line indented by `indent` levels, one item per line. */
function layoutGroup(group: Group, indent: number, column: number): string {
  const items = group.items.map(trim).filter((s) => s.length > 0);
  const only = items.length === 1 ? items[0] : undefined;
  const hugged =
    only?.length === 1 && only[0]?.kind === "group" && !group.forExpression ? only[0] : undefined;
  if (hugged !== undefined && hugged.open !== "(") {
    return `${group.open}${layoutGroup(hugged, indent, column + 1)}${group.close}`;
  }
  const hug = group.call ? huggedArgument(items) : undefined;
  if (hug !== undefined) {
    // f(a, g([ … ]), b): the short arguments stay on the line, only the long one breaks (inside its last group).
    const before = items.slice(0, hug).map(flat).join(", ");
    const after = items
      .slice(hug + 1)
      .map(flat)
      .join(", ");
    const head = `${group.open}${before === "" ? "" : `${before}, `}`;
    const tail = `${after === "" ? "" : `, ${after}`}${group.close}`;
    const broken = layoutSeq(items[hug] as Seq, indent, column + head.length, tail.length, ARGUMENT);
    return `${head}${broken}${tail}`;
  }
  const inner = indent + 1;
  if (group.forExpression && only !== undefined) {
    return `${group.open}\n${pad(inner)}${layoutFor(only, inner)}\n${pad(indent)}${group.close}`;
  }
  const parenthesised = group.open === "(" && !group.call;
  const separator = group.open === "{" || group.forExpression || parenthesised ? "" : ",";
  const mode: Mode = { chains: true, bare: parenthesised };
  const lines = items.map(
    (item) => `${pad(inner)}${layoutSeq(item, inner, inner * 2, separator.length, mode)}${separator}`,
  );
  const body = group.open === "{" && !group.forExpression ? alignObjectItems(lines) : lines;
  return `${group.open}\n${body.join("\n")}\n${pad(indent)}${group.close}`;
}

/**
 * The inside of a `for` expression on lines indented by `indent` levels: `for k, v in x : k =>` with its result
 * laid out after it, and an `if` clause on a line of its own when the whole does not fit.
 */
function layoutFor(item: Seq, indent: number): string {
  const oneLine = flat(item);
  if (indent * 2 + oneLine.length <= LINE_WIDTH) return oneLine;
  const colon = operators(item, [":"])[0];
  const arrow = operators(item, ["=>"]).find((o) => colon !== undefined && o.node >= colon.node);
  const head = arrow ?? colon;
  const condition = operators(item, ["if"]).find((o) => head !== undefined && o.node >= head.node);
  if (head === undefined) return layoutSeq(item, indent, indent * 2, 0);
  const start = `${flat(between(item, undefined, head))} ${head.op} `;
  const result = layoutSeq(between(item, head, condition), indent, indent * 2 + start.length, 0);
  if (condition === undefined) return `${start}${result}`;
  const clause = layoutSeq(between(item, condition, undefined), indent, indent * 2 + 3, 0);
  return `${start}${result}\n${pad(indent)}if ${clause}`;
}

/**
 * The argument of a call that is the only long one and breaks inside a group of its own (`regex(join("", [`), so
 * the call can keep its other, short arguments on the lines it opens and closes; undefined when there is none.
 */
function huggedArgument(items: readonly Seq[]): number | undefined {
  const long = items.map((item) => flat(item).length > 40);
  const at = long.indexOf(true);
  if (at < 0 || long.lastIndexOf(true) !== at) return undefined;
  const item = items[at] as Seq;
  const others = items
    .filter((_, i) => i !== at)
    .map(flat)
    .join(", ");
  const last = item[item.length - 1];
  const breaksInGroup =
    last?.kind === "group" && chain(item) === undefined && operators(item, ["&&", "||"]).length < 2;
  return breaksInGroup && others.length <= 40 ? at : undefined;
}

/** Aligns the `=` of runs of one-line object items, as terraform fmt does (a multi-line item ends a run). */
function alignObjectItems(items: readonly string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    const width = Math.max(0, ...run.map((l) => keyEnd(l)));
    for (const l of run) {
      const end = keyEnd(l);
      out.push(end < 0 ? l : `${l.slice(0, end).padEnd(width)}${l.slice(end)}`);
    }
    run = [];
  };
  for (const item of items) {
    if (item.includes("\n")) {
      flush();
      out.push(item);
    } else {
      run.push(item);
    }
  }
  flush();
  return out;
}

/** End of the key of an object item line (`  key = value`), or -1. */
function keyEnd(line: string): number {
  let i = 0;
  while (i < line.length) {
    if (line[i] === '"') {
      i = stringEnd(line, i + 1);
      continue;
    }
    if (line.startsWith(" = ", i)) return i;
    i += 1;
  }
  return -1;
}

/**
 * `expression` (HCL, one line) laid out for a value that starts at `column` on a line indented by `indent`
 * levels: unchanged when it fits in {@link LINE_WIDTH}, else broken as the module header describes.
 */
export function layoutExpression(expression: string, indent: number, column: number): string {
  if (expression.includes("\n") || column + expression.length <= LINE_WIDTH) return expression;
  return layoutSeq(trim(parse(expression)), indent, column, 0);
}
