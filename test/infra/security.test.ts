/**
 * The security review a reviewer would run on the synthesized Terraform (checkov / tfsec rules that apply
 * to Lambda, S3, IAM, CloudWatch Logs and ELB), as tests over the JSON. Synthesized once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  all,
  dataRefTo,
  envOf,
  functionStatements,
  type Json,
  one,
  policyDocument,
  refTo,
  type Synthesized,
  synth,
} from "./synth.js";

let s: Synthesized;
beforeAll(() => {
  s = synth({
    nlbArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef",
  });
});

interface Statement {
  sid: string;
  effect: string;
  actions: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

const statements = (): Statement[] => functionStatements(s) as unknown as Statement[];

describe("the function's IAM policy", () => {
  it("is exactly the least-privilege set", () => {
    // Prepare
    const partition = dataRefTo(s, "aws_partition", "partition");
    const bucket = refTo(s, "aws_s3_bucket", "bucket");
    const bucketArn = `arn:${partition}:s3:::${bucket}`;

    // Act
    const policy = statements();

    // Assess
    expect(policy).toEqual([
      {
        sid: "SyncTargetsOfThisTargetGroup",
        effect: "Allow",
        actions: ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
        resources: [refTo(s, "aws_lb_target_group", "arn")],
      },
      {
        sid: "ReadTargetHealth",
        effect: "Allow",
        actions: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
        resources: ["*"],
      },
      {
        sid: "ReadWriteStateObject",
        effect: "Allow",
        actions: ["s3:GetObject", "s3:PutObject"],
        resources: [`${bucketArn}/alb-static-ip/*`],
      },
      {
        sid: "MissingStateIsNotFound",
        effect: "Allow",
        actions: ["s3:ListBucket"],
        resources: [bucketArn],
      },
      {
        sid: "WriteOwnLogGroup",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${refTo(s, "aws_cloudwatch_log_group", "arn")}:*`],
      },
    ]);
  });

  it("uses no wildcard action, and a * resource only where the action has no resource type", () => {
    // Act
    const wildcardActions = statements().flatMap((st) => st.actions.filter((a) => a.includes("*")));
    const starResources = statements()
      .filter((st) => st.resources?.includes("*"))
      .flatMap((st) => st.actions);

    // Assess
    expect(wildcardActions).toEqual([]);
    expect(starResources).toEqual([
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]);
  });

  it("grants no cloudwatch action: the metrics travel in the function's own logs (embedded metric format)", () => {
    // Act
    const actions = statements().flatMap((st) => st.actions);

    // Assess
    expect(actions.filter((a) => a.startsWith("cloudwatch:"))).toEqual([]);
  });

  it("grants no IAM, no log group creation and no ec2 action (CKV_AWS_109, CKV_AWS_110)", () => {
    // Act
    const actions = statements().flatMap((st) => st.actions);

    // Assess
    expect(actions.filter((a) => /^(iam|sts|ec2|kms):/.test(a) || a === "logs:CreateLogGroup")).toEqual([]);
  });

  it("is attached inline to a role only the Lambda service can assume", () => {
    // Act
    const trust = (policyDocument(s, "assume_role_policy_document") as { statement: Statement[] }).statement;

    // Assess
    expect(trust).toEqual([
      {
        sid: "LambdaAssumesRole",
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
      },
    ]);
    expect(one(s, "aws_iam_role_policy")).toMatchObject({ role: refTo(s, "aws_iam_role", "id") });
    expect(one(s, "aws_iam_role")).not.toHaveProperty("managed_policy_arns");
  });
});

/** A checkov/tfsec rule and how it is checked here. */
interface Rule {
  readonly id: string;
  readonly title: string;
  readonly holds: () => boolean;
}

const bucketPolicy = (): Statement[] =>
  (policyDocument(s, "state_bucket_policy_document") as { statement: Statement[] }).statement;
const lambda = (): Json => one(s, "aws_lambda_function");

const RULES: Rule[] = [
  {
    id: "CKV_AWS_53..56 / aws-s3-block-public-*",
    title: "the state bucket blocks public ACLs and policies, ignores public ACLs, restricts public buckets",
    holds: () =>
      JSON.stringify(one(s, "aws_s3_bucket_public_access_block")) ===
      JSON.stringify({
        block_public_acls: true,
        block_public_policy: true,
        bucket: refTo(s, "aws_s3_bucket", "id"),
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
  },
  {
    id: "CKV2_AWS_6 / aws-s3-specify-public-access-block",
    title: "the public access block belongs to the state bucket",
    holds: () => one(s, "aws_s3_bucket_public_access_block").bucket === refTo(s, "aws_s3_bucket", "id"),
  },
  {
    id: "CKV_AWS_20, CKV_AWS_57 / aws-s3-no-public-access-with-acl",
    title: "ACLs are disabled (BucketOwnerEnforced) and no ACL is set",
    holds: () =>
      JSON.stringify((one(s, "aws_s3_bucket_ownership_controls") as { rule: Json }).rule) ===
        JSON.stringify({ object_ownership: "BucketOwnerEnforced" }) && !("acl" in one(s, "aws_s3_bucket")),
  },
  {
    id: "CKV_AWS_19 / aws-s3-enable-bucket-encryption",
    title: "the state bucket encrypts by default",
    holds: () =>
      (
        one(s, "aws_s3_bucket_server_side_encryption_configuration") as {
          rule: { apply_server_side_encryption_by_default: Json }[];
        }
      ).rule[0]?.apply_server_side_encryption_by_default.sse_algorithm === "AES256",
  },
  {
    id: "CKV_AWS_21 / aws-s3-enable-versioning",
    title: "the state bucket is versioned",
    holds: () =>
      (one(s, "aws_s3_bucket_versioning") as { versioning_configuration: Json }).versioning_configuration
        .status === "Enabled",
  },
  {
    id: "CKV2_AWS_61, CKV_AWS_300",
    title: "a lifecycle rule expires noncurrent versions and aborts incomplete multipart uploads",
    holds: () => {
      const rule = (one(s, "aws_s3_bucket_lifecycle_configuration") as { rule: Json[] }).rule[0] ?? {};
      return (
        rule.status === "Enabled" &&
        JSON.stringify(rule.noncurrent_version_expiration) === JSON.stringify([{ noncurrent_days: 30 }]) &&
        JSON.stringify(rule.abort_incomplete_multipart_upload) ===
          JSON.stringify([{ days_after_initiation: 1 }])
      );
    },
  },
  {
    id: "S3 TLS-only (AWS Foundational Security Best Practices S3.5)",
    title: "the bucket policy denies every request without TLS, or with TLS older than 1.2",
    holds: () => {
      const policy = bucketPolicy();
      const denies = (variable: string, value: string) =>
        policy.some(
          (st) =>
            st.effect === "Deny" &&
            st.actions.includes("s3:*") &&
            st.principals?.[0]?.identifiers.includes("*") &&
            st.condition?.some((c) => c.variable === variable && c.values.includes(value)) &&
            st.resources?.length === 2,
        );
      return (
        denies("aws:SecureTransport", "false") &&
        denies("s3:TlsVersion", "1.2") &&
        policy.every((st) => st.effect === "Deny")
      );
    },
  },
  {
    id: "CKV_AWS_115 / reserved concurrency",
    title: "the function has reserved concurrency (1: no overlapping runs)",
    holds: () => lambda().reserved_concurrent_executions === 1,
  },
  {
    id: "CKV_AWS_363 / deprecated runtime",
    title: "the function runs on a supported runtime (nodejs24.x)",
    holds: () => lambda().runtime === "nodejs24.x",
  },
  {
    id: "CKV_AWS_45 / aws-lambda-no-secrets-in-env",
    title: "no secret in the function's environment",
    holds: () => {
      const env = envOf(s);
      const secretName = /(secret|password|passwd|token|credential|private|api_?key|access_?key)/i;
      const secretValue = /(AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN|[A-Za-z0-9/+]{40}/;
      return Object.entries(env).every(([k, v]) => !secretName.test(k) && !secretValue.test(v));
    },
  },
  {
    id: "CKV_AWS_364, CKV_AWS_301 / aws-lambda-restrict-source-arn",
    title: "only the schedule rule may invoke the function (service principal + source ARN)",
    holds: () => {
      const permissions = all(s, "aws_lambda_permission");
      return (
        permissions.length === 1 &&
        permissions[0]?.principal === "events.amazonaws.com" &&
        permissions[0]?.source_arn === refTo(s, "aws_cloudwatch_event_rule", "arn")
      );
    },
  },
  {
    id: "CKV_AWS_66 / log retention",
    title: "the log group has a retention period",
    holds: () => typeof one(s, "aws_cloudwatch_log_group").retention_in_days === "number",
  },
  {
    id: "CKV_AWS_111, CKV_AWS_356 / aws-iam-no-policy-wildcards",
    title: "write actions are constrained to named resources; * only for actions without resource types",
    holds: () =>
      statements()
        .filter((st) => st.resources?.includes("*"))
        .every((st) =>
          st.actions.every(
            (a) =>
              a === "elasticloadbalancing:DescribeTargetGroups" ||
              a === "elasticloadbalancing:DescribeTargetHealth",
          ),
        ),
  },
  {
    id: "CKV_AWS_261 / target group health check",
    title: "the target group defines its health check",
    holds: () => (one(s, "aws_lb_target_group") as { health_check: Json }).health_check.enabled === true,
  },
  {
    id: "CKV_AWS_2, CKV_AWS_103 (deliberately TCP)",
    title: "the NLB listener is TCP pass-through: TLS terminates at the ALB, not at the NLB",
    holds: () => one(s, "aws_lb_listener").protocol === "TCP",
  },
];

describe("security rules a reviewer would run", () => {
  it.each(RULES.map((r) => [r.id, r.title, r]))("%s: %s", (_id, _title, rule) => {
    // Act / Assess
    expect((rule as Rule).holds()).toBe(true);
  });

  it("fails a rule when the resource is weakened (the checks can fail)", () => {
    // Prepare: a copy of the synthesized bucket encryption without a default algorithm.
    const original = s.json.resource.aws_s3_bucket_server_side_encryption_configuration;
    const id = Object.keys(original ?? {})[0] ?? "";
    s.json.resource.aws_s3_bucket_server_side_encryption_configuration = {
      [id]: { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "none" } }] },
    };

    // Act
    const holds = RULES.find((r) => r.id.startsWith("CKV_AWS_19"))?.holds();
    s.json.resource.aws_s3_bucket_server_side_encryption_configuration = original ?? {};

    // Assess
    expect(holds).toBe(false);
  });
});

describe("least privilege in each discovery mode", () => {
  const ALB_ARN =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
  const ROLE = "arn:aws:iam::210987654321:role/alb-static-ip-eni-read";
  const NLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef";
  const common = { nlbArn: NLB, albArn: ALB_ARN, allowedTargetCidrs: ["10.0.0.0/16"] };
  const held = (x: Synthesized) => functionStatements(x) as unknown as Statement[];

  it.each([
    ["dns", { discoveryMode: "dns" }, []],
    [
      "eni, same account",
      { discoveryMode: "eni" },
      [
        {
          sid: "DescribeAlbInterfaces",
          effect: "Allow",
          actions: ["ec2:DescribeNetworkInterfaces"],
          resources: ["*"],
        },
      ],
    ],
    [
      "eni, ALB in another account",
      { discoveryMode: "eni", albRoleArn: ROLE, albRoleExternalId: "x-1234" },
      [{ sid: "AssumeAlbAccountRole", effect: "Allow", actions: ["sts:AssumeRole"], resources: [ROLE] }],
    ],
  ] as const)("%s: the held document plus exactly what the mode needs", (_mode, props, extra) => {
    // Prepare: the held document of the default (dns) deployment with the same inputs.
    const base = held(synth({ ...common }));

    // Act
    const policy = held(synth({ ...common, ...props }));

    // Assess
    expect(policy).toEqual([...base, ...extra]);
    const star = policy.filter((st) => st.resources?.includes("*")).flatMap((st) => st.actions);
    expect(
      star.filter(
        (a) =>
          ![
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "cloudwatch:PutMetricData",
          ].includes(a),
      ),
    ).toEqual(
      props.discoveryMode === "eni" && !("albRoleArn" in props) ? ["ec2:DescribeNetworkInterfaces"] : [],
    );
    expect(policy.flatMap((st) => st.actions).filter((a) => /^(iam|kms):|\*/.test(a))).toEqual([]);
  });

  it("lets only its own rules invoke the function in eni mode (schedule and interface events, each by source ARN)", () => {
    const e = synth({ ...common, discoveryMode: "eni" });
    const rules = Object.keys(e.json.resource.aws_cloudwatch_event_rule ?? {}).map(
      (id) => `\${aws_cloudwatch_event_rule.${id}.arn}`,
    );
    const permissions = all(e, "aws_lambda_permission");
    expect(permissions.map((p) => p.source_arn).sort()).toEqual([...rules].sort());
    expect(permissions.every((p) => p.principal === "events.amazonaws.com")).toBe(true);
  });
});
