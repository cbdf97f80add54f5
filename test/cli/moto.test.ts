/**
 * `alb-static-ip doctor`, the built CLI, against moto (an independent AWS emulator): a world of a VPC, an ALB,
 * an NLB, an IP target group and listeners built with SDK calls (no Terraform), then each of the four named
 * mistakes made with the API. moto models load balancers, listeners, attributes, subnets and security groups;
 * target health is always healthy there and it has no DNS, so the target comparison is an info finding.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  ElasticLoadBalancingV2Client,
  SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, startMoto } from "../deploy/harness.js";
import { findDeployTools } from "../deploy/tools.js";
import { type DoctorJson, runCli } from "./support.js";

const tools = findDeployTools();
const motoMissing = tools.moto === undefined;
if (motoMissing)
  console.log("skipping the CLI's moto tests: moto (python3 -c 'import moto, boto3') is not installed");

let moto: Moto;
let env: Record<string, string>;
const ids: {
  albArn: string;
  nlbArn: string;
  albListener: string;
  nlbListener: string;
  sg: string;
  nlbSubnets: string[];
  tgArn: string;
} = {
  albArn: "",
  nlbArn: "",
  albListener: "",
  nlbListener: "",
  sg: "",
  nlbSubnets: [],
  tgArn: "",
};

async function doctor(): Promise<{ code: number; report: DoctorJson }> {
  const run = await runCli(["doctor", "--json"], env);
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson };
}

describe.skipIf(motoMissing)("doctor against moto", () => {
  beforeAll(async () => {
    moto = await startMoto();
    const common = {
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
    const ec2 = new EC2Client(common);
    const elbv2 = new ElasticLoadBalancingV2Client(common);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
    const subnet = async (cidr: string, zone: string) =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone })))
        .Subnet?.SubnetId ?? "";
    const albSubnets = [
      await subnet("10.0.0.0/20", "us-east-1a"),
      await subnet("10.0.16.0/20", "us-east-1b"),
      await subnet("10.0.32.0/20", "us-east-1c"),
    ];
    ids.nlbSubnets = [
      await subnet("10.0.100.0/24", "us-east-1a"),
      await subnet("10.0.101.0/24", "us-east-1b"),
      await subnet("10.0.102.0/24", "us-east-1c"),
    ];
    ids.sg =
      (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "alb", Description: "alb", VpcId: vpc })))
        .GroupId ?? "";
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: ids.sg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
        ],
      }),
    );
    const alb = (
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: "demo-alb",
          Type: "application",
          Scheme: "internal",
          Subnets: albSubnets,
          SecurityGroups: [ids.sg],
        }),
      )
    ).LoadBalancers?.[0];
    const nlb = (
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: "demo-nlb",
          Type: "network",
          Scheme: "internet-facing",
          Subnets: ids.nlbSubnets,
        }),
      )
    ).LoadBalancers?.[0];
    ids.albArn = alb?.LoadBalancerArn ?? "";
    ids.nlbArn = nlb?.LoadBalancerArn ?? "";
    ids.tgArn =
      (
        await elbv2.send(
          new CreateTargetGroupCommand({
            Name: "alb-static-ip",
            Protocol: "TCP",
            Port: 443,
            VpcId: vpc,
            TargetType: "ip",
            HealthCheckProtocol: "TCP",
          }),
        )
      ).TargetGroups?.[0]?.TargetGroupArn ?? "";
    ids.albListener =
      (
        await elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: ids.albArn,
            Protocol: "HTTP",
            Port: 443,
            DefaultActions: [
              {
                Type: "fixed-response",
                FixedResponseConfig: { StatusCode: "200", ContentType: "text/plain" },
              },
            ],
          }),
        )
      ).Listeners?.[0]?.ListenerArn ?? "";
    ids.nlbListener =
      (
        await elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: ids.nlbArn,
            Protocol: "TCP",
            Port: 443,
            DefaultActions: [{ Type: "forward", TargetGroupArn: ids.tgArn }],
          }),
        )
      ).Listeners?.[0]?.ListenerArn ?? "";
    await new S3Client({ ...common, forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: "alb-static-ip-state" }),
    );
    env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      ALB_DNS_NAME: alb?.DNSName ?? "",
      ALB_LISTENER: "443",
      NLB_TG_ARN: ids.tgArn,
      S3_BUCKET: "alb-static-ip-state",
      // moto has no DNS: nothing answers here, so discovery fails fast and the target comparison is skipped.
      DNS_SERVERS: "127.0.0.1:9",
      DNS_TIMEOUT_MS: "50",
      MAX_LOOKUP_PER_INVOCATION: "4",
    };
  }, 60_000);
  afterAll(() => moto?.stop());

  it("a correct setup: exit 0, no error finding", async () => {
    const { code, report } = await doctor();
    expect(
      report.findings.filter((f) => f.severity === "error"),
      JSON.stringify(report.findings, null, 1),
    ).toEqual([]);
    expect(code).toBe(0);
  });

  it("reports each of the four named mistakes as an error with its code", async () => {
    const common = {
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
    const ec2 = new EC2Client(common);
    const elbv2 = new ElasticLoadBalancingV2Client(common);
    const expectError = async (code: string, evidence: RegExp) => {
      const run = await doctor();
      const found = run.report.findings.find((f) => f.code === code);
      expect(found?.severity, `${code}: ${JSON.stringify(run.report.findings, null, 1)}`).toBe("error");
      expect(found?.message).toMatch(evidence);
      expect(run.code).toBe(1);
    };

    await elbv2.send(
      new SetSubnetsCommand({ LoadBalancerArn: ids.nlbArn, Subnets: ids.nlbSubnets.slice(0, 2) }),
    );
    await expectError("nlb_missing_alb_az", /us-east-1c/);
    await elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: ids.nlbArn, Subnets: ids.nlbSubnets }));

    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: ids.sg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
        ],
      }),
    );
    await expectError("alb_security_group_blocks_nlb", /10\.0\.100\.0\/24 on TCP 443/);

    await elbv2.send(new DeleteListenerCommand({ ListenerArn: ids.albListener }));
    await expectError("alb_listener_missing", /no listener on port 443/);

    await elbv2.send(new DeleteListenerCommand({ ListenerArn: ids.nlbListener }));
    await expectError("nlb_listener_missing", /No listener of an NLB forwards/);
  });
});
