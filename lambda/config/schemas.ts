/**
 * The value schemas shared by the configuration variables: whole numbers in a range, booleans in
 * the original's spellings, probabilities, enums. Input is the trimmed, non-empty value.
 */
// zod/mini: the same validation as classic zod at ~15 KiB instead of ~450 KiB of bundle (cold start).
import * as z from "zod/mini";
import type { Problem } from "./rules.js";

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
export type DiscoveryMode = "dns" | "eni";

export type Schema<T> = z.ZodMiniType<T, string>;

/** A string schema that reports the first problem `check` finds. */
export function checked(check: (value: string) => Problem): Schema<string> {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const problem = check(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, input: value });
    }),
  );
}

export function integer(min: number, max: number): Schema<number> {
  return z
    .pipe(
      z
        .string()
        .check(z.refine((s) => /^[0-9]+$/.test(s), { error: "only digits are allowed", abort: true })),
      z.transform(Number),
    )
    .check(
      z.refine((n) => n >= min && n <= max, {
        error: (issue) =>
          `${Number.isSafeInteger(issue.input) ? String(issue.input) : "the number"} is out of range`,
      }),
    );
}

const BOOLEAN_WORDS = ["true", "True", "TRUE", "1", "false", "False", "FALSE", "0"] as const;
export const booleanSchema: Schema<boolean> = z.pipe(
  z.enum(BOOLEAN_WORDS, { error: "another spelling is not accepted" }),
  z.transform((word) => BOOLEAN_WORDS.indexOf(word) < 4),
);

export const probabilitySchema: Schema<number> = z
  .pipe(
    z.string().check(
      z.refine((s) => /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(s), {
        error: "not a decimal number",
        abort: true,
      }),
    ),
    z.transform(Number),
  )
  .check(z.refine((p) => p > 0 && p <= 0.5, { error: "out of range" }));

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
export const logLevelSchema: Schema<LogLevel> = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.toUpperCase()),
  ),
  z.enum(LOG_LEVELS, { error: "unknown level" }),
);

export const discoveryModeSchema: Schema<DiscoveryMode> = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.toLowerCase()),
  ),
  z.enum(["dns", "eni"], { error: "unknown mode" }),
);
