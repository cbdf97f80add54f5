/**
 * Table 4: bundle sizes and the time to import a bundle in a fresh Node process, ours against the three SDK
 * clients alone. Our bundle carries the SDK clients, so the fair reference is a bundle of just those clients
 * made with the same esbuild settings; we time both an import-only bundle and one that also constructs the
 * clients with our options (our handler does that at import). Variants are interleaved round by round.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { ratio, type Summary, summarize } from "./stats.js";

/** One bundle measured. */
export interface ColdStartEntry {
  label: string;
  file: string;
  rawBytes: number;
  gzipBytes: number;
  importMs: Summary;
}

/** Table 4. */
export interface ColdStartResult {
  rounds: number;
  entries: ColdStartEntry[];
  /** ours median / reference median, per reference label. */
  ratios: Record<string, number | null>;
}

// Runs in the fresh process: time the dynamic import only (process start-up is the same for every variant).
const PROBE =
  "const t0=performance.now();await import(process.argv[1]);" +
  "process.stdout.write(JSON.stringify({ms:performance.now()-t0}));";

function importOnce(file: string, env: Record<string, string>): number {
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", PROBE, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  if (out.status !== 0) {
    throw new Error(
      `importing ${file} in a fresh process failed (exit ${out.status}): ${out.stderr.slice(0, 500)}`,
    );
  }
  // The handler may log at import; the probe's JSON is the last thing on stdout.
  const match = /\{"ms":[0-9.e+-]+\}$/.exec(out.stdout.trim());
  if (!match) throw new Error(`no timing from the import probe for ${file}: ${out.stdout.slice(-300)}`);
  return (JSON.parse(match[0]) as { ms: number }).ms;
}

/**
 * Measure `bundles` (the first is ours) over `rounds` interleaved rounds (the bundles were just written, so
 * they are in the file cache from the start).
 *
 * @example
 * await runColdStart([{ label: "ours", file: LAMBDA_BUNDLE }, { label: "sdk", file: SDK_IMPORT_BUNDLE }], env, 20);
 */
export function runColdStart(
  bundles: ReadonlyArray<{ label: string; file: string }>,
  env: Record<string, string>,
  rounds: number,
): ColdStartResult {
  const times = bundles.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    bundles.forEach((b, i) => {
      times[i]?.push(importOnce(b.file, env));
    });
  }
  const entries = bundles.map((b, i) => {
    const body = readFileSync(b.file);
    return {
      label: b.label,
      file: b.file,
      rawBytes: statSync(b.file).size,
      gzipBytes: gzipSync(body).length,
      importMs: summarize(times[i] ?? []),
    };
  });
  const ours = entries[0];
  const ratios: Record<string, number | null> = {};
  for (const e of entries.slice(1))
    ratios[e.label] = ours ? ratio(ours.importMs.median, e.importMs.median) : null;
  return { rounds, entries, ratios };
}
