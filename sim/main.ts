/**
 * CLI: run the local AWS world until SIGTERM/SIGINT.
 *
 *   npm run sim                 friendly text: endpoints, env, curl examples
 *   npm run sim -- --json       exactly one JSON line (WorldInfo) on stdout
 *
 * Flags: --alb-ips N, --health-check-delay-ms MS, --deregistration-delay-ms MS,
 * --latency-aws-ms MS, --latency-dns-ms MS, --seed N, --help.
 */
import { parseArgs } from "node:util";
import { startWorld, type World, type WorldOptions } from "./world.js";

const USAGE = `Usage: npm run sim -- [--json] [--alb-ips N] [--health-check-delay-ms MS]
                      [--deregistration-delay-ms MS] [--latency-aws-ms MS] [--latency-dns-ms MS] [--seed N]

Starts the local AWS world (DNS, ELBv2, S3, CloudWatch, control API) on free 127.0.0.1 ports
and runs until SIGTERM or SIGINT (Ctrl-C). See sim/README.md.`;

const NUMERIC_FLAGS = [
  "alb-ips",
  "health-check-delay-ms",
  "deregistration-delay-ms",
  "latency-aws-ms",
  "latency-dns-ms",
  "seed",
] as const;

/** Parse the CLI flags into world options; throws an Error naming the bad flag and value. */
export function parseCliOptions(argv: readonly string[]): {
  json: boolean;
  help: boolean;
  options: WorldOptions;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      ...Object.fromEntries(NUMERIC_FLAGS.map((flag) => [flag, { type: "string" as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  const number = (flag: (typeof NUMERIC_FLAGS)[number]): number | undefined => {
    const raw = values[flag];
    if (typeof raw !== "string") return undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value < 0) {
      throw new Error(`--${flag} must be a non-negative integer (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  const options: WorldOptions = {};
  const albIps = number("alb-ips");
  if (albIps !== undefined) options.albIpCount = albIps;
  const healthCheckDelayMs = number("health-check-delay-ms");
  if (healthCheckDelayMs !== undefined) options.healthCheckDelayMs = healthCheckDelayMs;
  const deregistrationDelayMs = number("deregistration-delay-ms");
  if (deregistrationDelayMs !== undefined) options.deregistrationDelayMs = deregistrationDelayMs;
  const aws = number("latency-aws-ms");
  const dns = number("latency-dns-ms");
  if (aws !== undefined || dns !== undefined) {
    options.latency = { ...(aws === undefined ? {} : { aws }), ...(dns === undefined ? {} : { dns }) };
  }
  const seed = number("seed");
  if (seed !== undefined) options.seed = seed;
  return { json: values.json === true, help: values.help === true, options };
}

function describe(world: World): string {
  const { info } = world;
  const env = Object.entries(world.env())
    .map(([name, value]) => `  export ${name}=${value}`)
    .join("\n");
  return `Local AWS world is running (Ctrl-C to stop).

  DNS          ${info.dns} (UDP and TCP) answers ${info.albDnsName}
  ELBv2        ${info.endpoints.elbv2}   target group ${info.targetGroupArn}
  S3           ${info.endpoints.s3}   bucket ${info.bucket}
  CloudWatch   ${info.endpoints.cloudwatch}
  Control API  ${info.control}
  ALB IPs      ${world.state().alb.ips.join(", ")}

Environment for the function (or any AWS SDK/CLI):
${env}

Try:
  dig @127.0.0.1 -p ${info.dns.split(":")[1]} ${info.albDnsName} +short
  curl -s ${info.control}/state
  curl -s -X POST ${info.control}/alb -d '{"count": 12}'
  curl -s -X POST ${info.control}/faults -d '{"elbv2:RegisterTargets": {"error": "Throttling", "remaining": 2}}'
  curl -s -X POST ${info.control}/reset
`;
}

async function main(): Promise<void> {
  let cli: ReturnType<typeof parseCliOptions>;
  try {
    cli = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const world = await startWorld(cli.options);
  process.stdout.write(cli.json ? `${JSON.stringify(world.info)}\n` : describe(world));
  const stop = (signal: NodeJS.Signals) => {
    if (!cli.json) process.stderr.write(`\n${signal}: stopping the local AWS world\n`);
    world.stop().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

await main();
