/**
 * examples/cross-account-alb under real Terraform and moto: the ALB (with its nodes' network interfaces) in one
 * account, the NLB and the function in another. Apply the example (its second provider assumes a role of the ALB's
 * account: moto's AssumeRole gives that account's own resources), run the deployed function (it assumes the role the
 * example created and registers the ALB's interface IPs, nothing else), re-plan (no change), destroy (nothing left in
 * either account).
 *
 * Test-only patches (harness.ts: PATCH provider-version, runtime, endpoints, nlb-arn), here also for the example's
 * second provider (`aws.alb`: moto's endpoints and fake keys, its assume_role kept). moto has no ALB nodes, and only
 * an AWS service can make a requester-managed interface: the test creates the interfaces through the API with the
 * ALB's description and marks two of them as ELB's in moto's own model (moto_server.py, POST /_test/ec2-requester/,
 * requester_managed = True, requester_id = "amazon-elb"); the third stays a user-made look-alike. moto 5.2.1
 * honours the `requester-managed` and `requester-id` filters, so the look-alike is found only by the function's look
 * without them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODULE_DIR } from "../../modules/build/module.js";
import {
  copyTree,
  type Moto,
  motoProviderOverride,
  patchModuleCopy,
  REGION,
  startMoto,
  terraformRunner,
  workspace,
} from "./harness.js";
import { inventory, runScenario } from "./scenario.js";
import { findDeployTools } from "./tools.js";

const tools = findDeployTools();
if (tools.missing.length > 0)
  console.warn(`SKIPPED test/deploy/cross-account.test.ts: missing ${tools.missing.join("; ")}`);

/** The ALB's account, and the role Terraform's second provider assumes there. */
const ALB_ACCOUNT = "210987654321";
const ADMIN_ROLE = `arn:aws:iam::${ALB_ACCOUNT}:role/terraform-admin`;
const NAME = "xacct";
const KEYS = { accessKeyId: "test", secretAccessKey: "test" };

/** The ALB's side, made before Terraform runs (the example takes it as input). */
interface AlbAccount {
  albArn: string;
  albDnsName: string;
  subnetCidrs: string[];
  /** The private IPs of the interfaces marked as ELB's. */
  nodeIps: string[];
  lookalike: { id: string; ip: string };
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
}

async function albAccount(moto: Moto): Promise<AlbAccount> {
  const sts = new STSClient({ region: REGION, endpoint: moto.endpoint, credentials: KEYS });
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: "fixture" })))
    .Credentials!;
  sts.destroy();
  const credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: moto.endpoint, credentials });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.70.0.0/16" }))).Vpc!.VpcId!;
  const subnetCidrs = ["10.70.1.0/24", "10.70.2.0/24"];
  const subnets: string[] = [];
  for (const [i, cidr] of subnetCidrs.entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: `${REGION}${"ab"[i]}` }),
    );
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const alb = (
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "web",
        Type: "application",
        Scheme: "internal",
        Subnets: subnets,
      }),
    )
  ).LoadBalancers![0]!;
  const description = `ELB ${alb.LoadBalancerArn!.split(":loadbalancer/")[1]}`;
  const create = async (subnet: string, ip: string) =>
    (
      await ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnet,
          Description: description,
          PrivateIpAddress: ip,
        }),
      )
    ).NetworkInterface!.NetworkInterfaceId!;
  const nodeIps = ["10.70.1.21", "10.70.2.34"];
  const nodes = [await create(subnets[0]!, nodeIps[0]!), await create(subnets[1]!, nodeIps[1]!)];
  for (const id of nodes) {
    const marked = await fetch(`${moto.endpoint}/_test/ec2-requester/${ALB_ACCOUNT}/${REGION}/${id}`, {
      method: "POST",
    });
    expect(marked.status, await marked.text()).toBe(200);
  }
  // Anyone allowed ec2:CreateNetworkInterface in the ALB's VPC can copy the description.
  const lookalike = { id: await create(subnets[0]!, "10.70.1.99"), ip: "10.70.1.99" };
  return {
    albArn: alb.LoadBalancerArn!,
    albDnsName: alb.DNSName!,
    subnetCidrs,
    nodeIps,
    lookalike,
    ec2,
    elbv2,
  };
}

/** The NLB's side in the function's account. */
async function nlbAccount(moto: Moto): Promise<{ nlbArn: string; vpcId: string }> {
  const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: KEYS });
  const elbv2 = new ElasticLoadBalancingV2Client({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: KEYS,
  });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.60.0.0/16" }))).Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [i, cidr] of ["10.60.1.0/24", "10.60.2.0/24"].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: `${REGION}${"ab"[i]}` }),
    );
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const nlb = (
    await elbv2.send(new CreateLoadBalancerCommand({ Name: "edge", Type: "network", Subnets: subnets }))
  ).LoadBalancers![0]!;
  ec2.destroy();
  elbv2.destroy();
  return { nlbArn: nlb.LoadBalancerArn!, vpcId };
}

/** PATCH endpoints for the example's second provider: moto, fake keys; its assume_role stays. */
function albProviderOverride(endpoint: string): string {
  const services = ["ec2", "events", "iam", "sts"].map((s) => `    ${s} = "${endpoint}"`).join("\n");
  return `
# Test-only (PATCH endpoints): the ALB account's provider talks to moto too; it still assumes the admin role there.
provider "aws" {
  alias                       = "alb"
  region                      = "${REGION}"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true

  endpoints {
${services}
  }
}
`;
}

describe.skipIf(tools.missing.length > 0)("examples/cross-account-alb under real Terraform and moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  it("applies both accounts' resources, the deployed function assumes the role and registers only ELB's interface IPs, re-plans empty, destroys clean", async () => {
    // Prepare: the ALB's account (ALB, ELB's interfaces, a look-alike) and the NLB in the function's account
    const alb = await albAccount(moto);
    const { nlbArn, vpcId } = await nlbAccount(moto);
    const albSideBefore = inventory(moto, ADMIN_ROLE);
    const base = workspace("cross-account");
    const tf = terraformRunner(tools, base);
    const module = join(base, "modules", "terraform", "alb-static-ip");
    copyTree(MODULE_DIR, module);
    patchModuleCopy(module, tools.awsVersions.at(-1) ?? "");
    const root = join(base, "examples", "cross-account-alb");
    copyTree(join(MODULE_DIR, "..", "..", "..", "examples", "cross-account-alb"), root);
    // PATCH provider-version, for the example's own constraint as well.
    const versions = join(root, "versions.tf");
    writeFileSync(
      versions,
      readFileSync(versions, "utf8").replace('">= 6.19.0"', `">= ${tools.awsVersions.at(-1) ?? ""}"`),
    );
    writeFileSync(
      join(root, "moto_override.tf"),
      motoProviderOverride(moto.endpoint) + albProviderOverride(moto.endpoint),
    );
    writeFileSync(
      join(root, "terraform.tfvars"),
      [
        `name = "${NAME}"`,
        `alb_account_admin_role_arn = "${ADMIN_ROLE}"`,
        `alb_arn = "${alb.albArn}"`,
        `alb_dns_name = "${alb.albDnsName}"`,
        `alb_subnet_cidrs = ${JSON.stringify(alb.subnetCidrs)}`,
        `nlb_arn = "${nlbArn}"`,
        `vpc_id = "${vpcId}"`,
        "",
      ].join("\n"),
    );

    // Act
    const report = await runScenario({
      tf,
      moto,
      dir: root,
      scratch: base,
      outputNames: { fn: "function_name", targetGroupArn: "target_group_arn", bucket: "state_bucket_name" },
      // The function registers the interfaces' IPs (ENI mode never asks DNS for them).
      albIps: alb.nodeIps,
      emptyBucketBeforeDestroy: true,
      checkFirstRun: (logs) => {
        const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
        const run = lines.find((l) => l.message === "alb-static-ip run") as
          | { discovery?: { ipv4?: { source?: string; exact?: boolean } } }
          | undefined;
        expect(run?.discovery?.ipv4).toMatchObject({ source: "eni", exact: true });
        // The look without the requester filters found the look-alike; it was reported, never registered.
        const warning = lines.find((l) => l.code === "interface_not_elb_managed");
        expect(JSON.stringify(warning)).toContain(alb.lookalike.id);
        expect(JSON.stringify(warning)).toContain(alb.lookalike.ip);
      },
    });

    // Assess: the function's account as before (runScenario), and the ALB's account too
    console.log(`deploy cross-account: ${JSON.stringify(report)}`);
    expect(report.registered).toEqual([...alb.nodeIps].sort());
    expect(report.resourcesApplied).toBeGreaterThanOrEqual(20);
    expect(inventory(moto, ADMIN_ROLE), "destroy leaves nothing in the ALB's account").toEqual(albSideBefore);
    alb.ec2.destroy();
    alb.elbv2.destroy();
  }, 600_000);
});
