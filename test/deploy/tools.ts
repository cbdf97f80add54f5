/**
 * What the deploy tests need from this machine, found (never assumed): Terraform on PATH, the hashicorp/aws
 * provider in a local filesystem mirror (its `registry.terraform.io` directory, found with `find`), and
 * moto with boto3 for python3. Run directly (`tsx test/deploy/tools.ts`, as .ci/run does) it prints one line
 * per tool.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What was found; `missing` names what was not, for the skip line. */
export interface DeployTools {
  readonly terraform: string | undefined;
  /** The directory that holds `registry.terraform.io` (the `path` of a `filesystem_mirror`). */
  readonly mirror: string | undefined;
  /** The hashicorp/aws versions in the mirror, e.g. ["5.100.0"]. */
  readonly awsVersions: readonly string[];
  readonly moto: string | undefined;
  readonly missing: readonly string[];
}

function run(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

let cached: DeployTools | undefined;

/** Looks for the tools once per process. */
export function findDeployTools(): DeployTools {
  if (cached !== undefined) return cached;
  const terraform = run("terraform", ["version"])?.split("\n")[0];
  const roots = (
    spawnSync("find", ["/", "-maxdepth", "4", "-type", "d", "-name", "registry.terraform.io"], {
      encoding: "utf8",
      timeout: 30_000,
    }).stdout ?? ""
  )
    .split("\n")
    .filter((line) => line.trim() !== "")
    // A plugin cache has the same layout; prefer a real mirror outside the temp directory.
    .sort((a, b) => Number(a.startsWith(tmpdir())) - Number(b.startsWith(tmpdir())));
  let mirror: string | undefined;
  let awsVersions: string[] = [];
  for (const root of roots) {
    try {
      const versions = readdirSync(join(root, "hashicorp", "aws")).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
      if (versions.length > 0) {
        mirror = dirname(root);
        awsVersions = versions.sort();
        break;
      }
    } catch {
      // not a mirror with hashicorp/aws
    }
  }
  const moto = run("python3", ["-c", "import moto, boto3, werkzeug; print(moto.__version__)"]);
  const missing = [
    ...(terraform === undefined ? ["terraform (not on PATH)"] : []),
    ...(mirror === undefined
      ? ["the hashicorp/aws provider mirror (no registry.terraform.io/hashicorp/aws)"]
      : []),
    ...(moto === undefined ? ["moto (python3 -c 'import moto, boto3' failed)"] : []),
  ];
  cached = { terraform, mirror, awsVersions, moto: moto === undefined ? undefined : `moto ${moto}`, missing };
  return cached;
}

/** One line per tool, for CI logs. */
export function describeDeployTools(tools: DeployTools = findDeployTools()): string[] {
  return [
    `terraform: ${tools.terraform ?? "not found"}`,
    `provider mirror: ${tools.mirror === undefined ? "not found" : `${tools.mirror} (hashicorp/aws ${tools.awsVersions.join(", ")})`}`,
    `moto: ${tools.moto ?? "not found"}`,
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of describeDeployTools()) console.log(`deploy tests: ${line}`);
}
