/**
 * CLI: run the local AWS world until SIGTERM/SIGINT.
 *
 *   npm run sim                 friendly text: endpoints, env, curl examples
 *   npm run sim -- --json       exactly one JSON line (WorldInfo) on stdout
 *
 * Flags: --alb-ips N, --health-check-delay-ms MS, --deregistration-delay-ms MS,
 * --latency-aws-ms MS, --latency-dns-ms MS, --seed N, --help.
 */
import { parseCliOptions } from "./cli-options.js";
import { startWorld, type World } from "./world.js";

const USAGE = `Usage: npm run sim -- [--json] [--alb-ips N] [--health-check-delay-ms MS]
                      [--deregistration-delay-ms MS] [--latency-aws-ms MS] [--latency-dns-ms MS] [--seed N]

Starts the local AWS world (DNS, ELBv2, S3, CloudWatch, control API) on free 127.0.0.1 ports
and runs until SIGTERM or SIGINT (Ctrl-C). See sim/README.md.`;

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
