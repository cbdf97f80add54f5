/**
 * Output: tables for a terminal (colour only on a TTY and without NO_COLOR or --no-color), one JSON object for
 * machines, progress lines on stderr. Knows nothing of AWS or of the commands' meaning.
 */

/** Where output goes, and how. */
export interface Output {
  /** Write a line to stdout. */
  line(text?: string): void;
  /** The single JSON object of --json. */
  json(value: unknown): void;
  /** A progress line on stderr (not with --quiet). */
  progress(text: string): void;
  /** Colour helpers: identity when colour is off. */
  readonly color: Palette;
  /** Terminal width (80 when unknown). */
  readonly width: number;
}

export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain: Palette = { red: (t) => t, yellow: (t) => t, green: (t) => t, dim: (t) => t, bold: (t) => t };
const sgr = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const ansi: Palette = { red: sgr(31), yellow: sgr(33), green: sgr(32), dim: sgr(2), bold: sgr(1) };

/**
 * The process's output.
 *
 * @example
 * const out = createOutput({ noColor: false, quiet: false }, process.env);
 */
export function createOutput(
  options: { noColor: boolean; quiet: boolean },
  env: Readonly<Record<string, string | undefined>>,
  streams: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
): Output {
  const colour = streams.stdout.isTTY === true && !options.noColor && (env.NO_COLOR ?? "") === "";
  return {
    line: (text = "") => streams.stdout.write(`${text}\n`),
    json: (value) => streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (text) => {
      if (!options.quiet) streams.stderr.write(`… ${text}\n`);
    },
    color: colour ? ansi : plain,
    width: streams.stdout.isTTY === true ? (streams.stdout.columns ?? 100) : 120,
  };
}

/** Visible length of a string (without colour codes). */
function visible(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own SGR codes
  return text.replace(/\u001b\[\d+m/g, "").length;
}

/** Word-wrap `text` to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let current = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      if (current !== "" && current.length + 1 + word.length > width) {
        lines.push(current);
        current = word;
      } else current = current === "" ? word : `${current} ${word}`;
    }
    lines.push(current);
  }
  return lines;
}

/**
 * A table: fixed columns sized to their content, the last column wrapped to the width left.
 *
 * @example
 * table(["CODE", "MESSAGE"], [["x", "y"]], 100).forEach((l) => out.line(l));
 */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  width: number,
): string[] {
  const fixed = headers
    .slice(0, -1)
    .map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ""))));
  const left = fixed.reduce((n, w) => n + w + 2, 0);
  const lastWidth = Math.max(30, width - left);
  const pad = (text: string, w: number) => text + " ".repeat(Math.max(0, w - visible(text)));
  const render = (cells: readonly string[]): string[] => {
    const last = wrap(cells[cells.length - 1] ?? "", lastWidth);
    return last.map((part, i) =>
      [...fixed.map((w, c) => pad(i === 0 ? (cells[c] ?? "") : "", w)), part].join("  ").trimEnd(),
    );
  };
  return [...render(headers), ...rows.flatMap(render)];
}
