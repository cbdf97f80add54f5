/**
 * `alb-static-ip doctor`, the built CLI, against the local AWS world: a correct setup gives exit 0 and no error
 * finding; each wiring mistake (POST /network) is reported with its code, the evidence and exit 1.
 */
import {
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NetworkChange } from "../../sim/network.js";
import { startWorld, type World } from "../../sim/world.js";
import { type DoctorJson, runCli } from "./support.js";

let world: World;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function doctor(args: string[] = []): Promise<{ code: number; report: DoctorJson; stderr: string }> {
  const run = await runCli(["doctor", "--json", "--function-name", "alb-static-ip", ...args], world.env());
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson, stderr: run.stderr };
}

const errors = (r: DoctorJson) => r.findings.filter((f) => f.severity === "error");

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 50, deregistrationDelayMs: 100 });
});
afterEach(() => world.reset());
afterAll(async () => {
  await world.stop();
});

describe("doctor against a correct setup", () => {
  it("exits 0 with no error finding, from the deployed function's configuration", async () => {
    // Act
    const { code, report } = await doctor();

    // Assess
    expect(errors(report), JSON.stringify(report.findings, null, 1)).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
  });

  it("exits 0 from this shell's variables and says the function was not checked", async () => {
    const run = await runCli(["doctor", "--json"], world.env());
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(run.code).toBe(0);
    expect(report.findings.map((f) => f.code)).toContain("function_not_checked");
  });
});

const ALB_PORT_ONLY_FROM_ELSEWHERE = [
  { protocol: "tcp" as const, fromPort: 443, toPort: 443, cidrs: ["192.168.0.0/16"], groups: [] },
];

const MISTAKES: ReadonlyArray<[code: string, change: NetworkChange, evidence: RegExp]> = [
  ["nlb_missing_alb_az", { nlbZones: ["a", "b"] }, /us-east-1c.*cross-zone/],
  [
    "alb_security_group_blocks_nlb",
    { albIngress: ALB_PORT_ONLY_FROM_ELSEWHERE },
    /sg-0a1b2c3d4e5f00a1b.*10\.250\.0\.0\/24 on TCP 443/,
  ],
  ["alb_listener_missing", { albListenerPorts: [80] }, /no listener on port 443 \(its listeners: 80\)/],
  [
    "nlb_listener_missing",
    { nlbListeners: [{ port: 443, targetGroupArn: null }] },
    /No listener of an NLB forwards to target group alb-static-ip-demo/,
  ],
  ["target_group_not_ip", { targetGroup: { targetType: "instance" } }, /target type instance/],
  ["target_group_protocol", { targetGroup: { protocol: "UDP" } }, /protocol UDP/],
  ["health_check_port_closed", { targetGroup: { healthCheck: { port: "8443" } } }, /port 8443/],
  [
    "function_schedule_disabled",
    { function: { scheduleEnabled: false } },
    /alb-static-ip-schedule rate\(1 minute\) DISABLED/,
  ],
  ["function_schedule_missing", { function: { schedule: false } }, /No EventBridge schedule rule targets/],
  [
    "role_permission_missing",
    { function: { deniedActions: ["s3:PutObject", "elasticloadbalancing:DeregisterTargets"] } },
    /s3:PutObject on arn:aws:s3:::alb-static-ip-demo-state\/alb-static-ip\/.*implicitDeny/,
  ],
  // Without the log writes the logs and the metrics in them (EMF) are lost, with no error anywhere
  [
    "role_permission_missing",
    { function: { deniedActions: ["logs:PutLogEvents"] } },
    /logs:PutLogEvents on arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/lambda\/alb-static-ip:log-stream:\* \(implicitDeny\)/,
  ],
];

describe("doctor names each wiring mistake", () => {
  it.each(MISTAKES)("%s: an error with the evidence, exit 1", async (code, change, evidence) => {
    // Prepare
    world.changeNetwork(change);

    // Act
    const run = await doctor();

    // Assess
    const found = run.report.findings.find((f) => f.code === code);
    expect(found, JSON.stringify(run.report.findings, null, 1)).toBeDefined();
    expect(found?.severity).toBe("error");
    expect(found?.message).toMatch(evidence);
    expect(run.code).toBe(1);
  });

  it.each([
    ["alb_idle_timeout_exceeds_nlb", { albIdleTimeoutSeconds: 400 }, /= 400.*350 s/],
    [
      "health_check_through_rules",
      { targetGroup: { healthCheck: { protocol: "HTTP", path: "/health", matcher: "200" } } },
      /HTTP \/health/,
    ],
    [
      "health_check_slow",
      { targetGroup: { healthCheck: { intervalSeconds: 30, unhealthyThreshold: 10 } } },
      /300 s/,
    ],
    [
      "function_recent_errors",
      { function: { recentErrors: [0, 2, 1] } },
      /failed 3 time\(s\) in the last hour/,
    ],
  ] as const)("%s: a warning or info with the evidence, exit 0", async (code, change, evidence) => {
    world.changeNetwork(change as NetworkChange);
    const run = await doctor();
    const found = run.report.findings.find((f) => f.code === code);
    expect(found, JSON.stringify(run.report.findings, null, 1)).toBeDefined();
    expect(found?.severity).not.toBe("error");
    expect(found?.message).toMatch(evidence);
    expect(run.code).toBe(0);
  });

  it("function_no_route_out: an error in DNS mode without DNS_SERVERS, a warning with it", async () => {
    // Prepare: the function's own environment has no DNS_SERVERS; this run reaches the sim's DNS through --env
    const { DNS_SERVERS: dns = "", ...fnEnv } = world.network.fn?.environment ?? {};
    world.changeNetwork({ function: { routeOut: "igw", environment: fnEnv } });

    // Act
    const strict = await doctor(["--env", `DNS_SERVERS=${dns}`]);
    world.changeNetwork({ function: { environment: { ...fnEnv, DNS_SERVERS: dns } } });
    const lenient = await doctor();

    // Assess
    const a = strict.report.findings.find((f) => f.code === "function_no_route_out");
    expect(a?.severity).toBe("error");
    expect(a?.message).toMatch(/subnet-0a1b00000000fna.*internet gateway route does not count/);
    expect(strict.code).toBe(1);
    expect(lenient.report.findings.find((f) => f.code === "function_no_route_out")?.severity).toBe("warning");
  });

  it("alb_not_dualstack: an ipv6 target group behind an IPv4-only ALB", async () => {
    const other = await startWorld({ targetGroups: [{ port: 443 }, { port: 443, ipAddressType: "ipv6" }] });
    try {
      const run = await runCli(["doctor", "--json", "--function-name", "alb-static-ip"], other.env());
      const report = JSON.parse(run.stdout) as DoctorJson;
      expect(report.findings.find((f) => f.code === "alb_not_dualstack")?.message).toMatch(
        /ip address type ipv4/i,
      );
      expect(run.code).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it("config_invalid: the function's own validation messages, exit 1", async () => {
    const run = await doctor(["--env", "ALB_LISTENER=70000"]);
    const found = run.report.findings.find((f) => f.code === "config_invalid");
    expect(found?.message).toMatch(/ALB_LISTENER: got "70000"; expected the ALB listener port/);
    expect(run.code).toBe(1);
  });

  it("state_bucket_missing and state_unusable: the bucket and each state object", async () => {
    const missing = await doctor(["--env", "S3_BUCKET=no-such-bucket-here"]);
    expect(missing.report.findings.find((f) => f.code === "state_bucket_missing")?.message).toMatch(
      /no-such-bucket-here/,
    );

    const s3 = new S3Client({
      endpoint: world.info.endpoints.s3,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: world.info.bucket,
        Key: "alb-static-ip/alb-static-ip-demo-0123456789abcdef/443.json",
        Body: "{not json",
      }),
    );
    const corrupt = await doctor();
    expect(corrupt.report.findings.find((f) => f.code === "state_unusable")?.message).toMatch(
      /state_corrupt/,
    );
  });

  it("targets_unhealthy and targets_not_alb_ips: each health reason explained in words", async () => {
    // Prepare: the ALB's IPs and a stranger registered; the NLB loses zone c (cross-zone off)
    const elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: world.info.endpoints.elbv2,
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    const ips = [...world.state().alb.ips, "10.0.0.200"];
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: world.info.targetGroupArn,
        Targets: ips.map((Id) => ({ Id, Port: 443 })),
      }),
    );
    await sleep(80);
    world.changeNetwork({ nlbZones: ["a", "b"] });

    // Act
    const run = await doctor();

    // Assess
    const unused = run.report.findings.find(
      (f) => f.code === "targets_unhealthy" && /Target\.NotInUse/.test(f.message),
    );
    expect(unused?.message).toMatch(/availability zone is not enabled on the NLB/);
    const failing = run.report.findings.find(
      (f) => f.code === "targets_unhealthy" && /FailedHealthChecks/.test(f.message),
    );
    expect(failing?.message).toMatch(/10\.0\.0\.200/);
    expect(run.report.findings.find((f) => f.code === "targets_not_alb_ips")?.message).toMatch(
      /10\.0\.0\.200/,
    );
  });

  it("check_skipped: a read the caller may not make is an info finding, never a crash", async () => {
    world.setFaults({
      "ec2:DescribeSecurityGroups": { error: "UnauthorizedOperation" },
      "iam:SimulatePrincipalPolicy": { error: "AccessDenied" },
    });
    const run = await doctor();
    const skipped = run.report.findings.filter((f) => f.code === "check_skipped");
    expect(skipped.map((f) => f.message).join("\n")).toMatch(
      /security groups.*UnauthorizedOperation[\s\S]*SimulatePrincipalPolicy.*AccessDenied/,
    );
    expect(skipped.every((f) => f.severity === "info")).toBe(true);
    expect(run.code).toBe(0);
  });
});
