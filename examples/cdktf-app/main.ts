/**
 * Example: a CDKTF app that puts static IPs in front of an existing internal ALB with the AlbStaticIp
 * construct — an existing NLB gets a TCP listener on port 443 that forwards to the synchronized target group.
 *
 *   export EXAMPLE_ALB_DNS_NAME=internal-my-alb-123.eu-west-1.elb.amazonaws.com
 *   export EXAMPLE_NLB_ARN=arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef
 *   export EXAMPLE_VPC_ID=vpc-0123456789abcdef0
 *   npm run build && npx tsx examples/cdktf-app/main.ts     # or: cd examples/cdktf-app && npx cdktf-cli@0.21.0 deploy
 */
import { pathToFileURL } from "node:url";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AlbStaticIp, type LambdaCode } from "../../modules/index.js";

export interface EdgeSettings {
  readonly region: string;
  readonly albDnsName: string;
  readonly nlbArn: string;
  readonly vpcId: string;
  readonly alarmTopicArn?: string;
}

export class EdgeStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: EdgeSettings, lambdaCode?: LambdaCode) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: settings.region });

    const staticIp = new AlbStaticIp(this, "static_ip", {
      name: "edge-static-ip",
      albDnsName: settings.albDnsName,
      albListenerPort: 443,
      vpcId: settings.vpcId,
      nlbArn: settings.nlbArn,
      alarmActions: settings.alarmTopicArn === undefined ? [] : [settings.alarmTopicArn],
      tags: { service: "edge" },
      lambdaCode,
    });

    new TerraformOutput(this, "target_group_arn", { value: staticIp.targetGroupArn });
    new TerraformOutput(this, "function_name", { value: staticIp.functionName });
  }
}

/** Reads the example's settings from the environment; names every missing one. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): EdgeSettings {
  const names = ["EXAMPLE_ALB_DNS_NAME", "EXAMPLE_NLB_ARN", "EXAMPLE_VPC_ID"] as const;
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0)
    throw new Error(`Set ${missing.join(", ")} (see the comment at the top of main.ts).`);
  return {
    region: env.AWS_REGION ?? "us-east-1",
    albDnsName: env.EXAMPLE_ALB_DNS_NAME ?? "",
    nlbArn: env.EXAMPLE_NLB_ARN ?? "",
    vpcId: env.EXAMPLE_VPC_ID ?? "",
    alarmTopicArn: env.EXAMPLE_ALARM_TOPIC_ARN,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = new App();
  new EdgeStack(app, "edge", settingsFromEnv(process.env));
  app.synth();
}
