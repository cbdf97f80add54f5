import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AlbStaticIp,
  type AlbStaticIpProps,
  lambdaCodeFromDirectory,
  propProblems,
} from "../../modules/alb-static-ip.js";
import { renderModule } from "../../modules/build/module.js";
import { DEFAULTS, INPUTS } from "../../modules/inputs/index.js";
import {
  all,
  BASE,
  envOf,
  functionStatements,
  type Json,
  NLB_ARN,
  one,
  refTo,
  type Synthesized,
  synth,
  TG_ARN,
} from "./synth.js";

let defaults: Synthesized;
beforeAll(() => {
  defaults = synth();
});

describe("AlbStaticIp with default props", () => {
  it("creates exactly the expected resources, and no listener without an NLB", () => {
    // Act
    const types = Object.fromEntries(
      Object.entries(defaults.json.resource).map(([t, byId]) => [t, Object.keys(byId).length]),
    );

    // Assess
    expect(types).toEqual({
      aws_lb_target_group: 1,
      aws_s3_bucket: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_ownership_controls: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_versioning: 1,
      aws_s3_bucket_lifecycle_configuration: 1,
      aws_s3_bucket_policy: 1,
      aws_cloudwatch_log_group: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 1,
      aws_lambda_function: 1,
      aws_lambda_function_event_invoke_config: 1,
      aws_cloudwatch_event_rule: 1,
      aws_cloudwatch_event_target: 1,
      aws_lambda_permission: 1,
      aws_cloudwatch_metric_alarm: 4,
      aws_cloudwatch_dashboard: 1,
    });
  });

  it("creates an IP-type TCP target group on the listener port with a TCP health check", () => {
    // Assess
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, LbTargetGroup.tfResourceType, {
        name: "alb-static-ip",
        port: 443,
        protocol: "TCP",
        target_type: "ip",
        vpc_id: BASE.vpcId,
        deregistration_delay: "300",
        proxy_protocol_v2: false,
        health_check: {
          enabled: true,
          protocol: "TCP",
          port: "traffic-port",
          interval: 10,
          healthy_threshold: 3,
          unhealthy_threshold: 3,
        },
      }),
    ).toBe(true);
    const healthCheck = (one(defaults, "aws_lb_target_group") as { health_check: Json }).health_check;
    expect(healthCheck).not.toHaveProperty("path");
    expect(healthCheck).not.toHaveProperty("matcher");
  });

  it("runs the function on nodejs24.x, arm64, with reserved concurrency 1 and a timeout below the schedule", () => {
    // Assess
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, LambdaFunction.tfResourceType, {
        function_name: "alb-static-ip",
        handler: "index.handler",
        runtime: "nodejs24.x",
        architectures: ["arm64"],
        memory_size: 256,
        timeout: 50,
        reserved_concurrent_executions: 1,
        filename: "lambda.zip",
        source_code_hash: "hash-of-lambda-zip",
      }),
    ).toBe(true);
  });

  it("passes the function exactly the configuration contract, with the original names and defaults", () => {
    // Act
    const env = envOf(defaults);

    // Assess
    expect(env).toEqual({
      ALB_DNS_NAME: BASE.albDnsName,
      ALB_LISTENER: "443",
      S3_BUCKET: refTo(defaults, "aws_s3_bucket", "bucket"),
      NLB_TG_ARN: refTo(defaults, "aws_lb_target_group", "arn"),
      MAX_LOOKUP_PER_INVOCATION: "1000",
      INVOCATIONS_BEFORE_DEREGISTRATION: "3",
      HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: "15",
      CW_METRIC_FLAG_IP_COUNT: "true",
      SAME_VPC: "true",
      STATE_KEY_PREFIX: "alb-static-ip/",
      DNS_TIMEOUT_MS: "1000",
      DNS_CONCURRENCY: "16",
      MISS_PROBABILITY: "0.000001",
      MAX_DEREGISTRATIONS_PER_RUN: "10",
      DRY_RUN: "false",
      METRIC_NAMESPACE: "ALBStaticIP",
      LOG_LEVEL: "INFO",
      DISCOVERY_MODE: "dns",
      AWS_MAX_ATTEMPTS: "3",
      AWS_REQUEST_TIMEOUT_MS: "5000",
      ALLOWED_TARGET_CIDRS: expect.stringMatching(
        /^\$\{join\(",", local\.[a-z0-9_]*allowed_target_cidrs[A-Za-z0-9_]*\)\}$/,
      ),
      ALLOW_ANY_TARGET_CIDR: "false",
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("creates the log group /aws/lambda/<name> with 30 days retention before the function", () => {
    // Act
    const fn = one(defaults, "aws_lambda_function") as { depends_on: string[]; logging_config: Json };

    // Assess
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, CloudwatchLogGroup.tfResourceType, {
        name: "/aws/lambda/alb-static-ip",
        retention_in_days: 30,
      }),
    ).toBe(true);
    expect(fn.depends_on).toContain(
      refTo(defaults, "aws_cloudwatch_log_group", "x").replace(/^\$\{(.*)\.x\}$/, "$1"),
    );
    expect(fn.logging_config).toEqual({
      log_format: "Text",
      log_group: refTo(defaults, "aws_cloudwatch_log_group", "name"),
    });
  });

  it("invokes the function every minute from an EventBridge rule allowed by source ARN only", () => {
    // Assess
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, CloudwatchEventRule.tfResourceType, {
        schedule_expression: "rate(1 minute)",
        state: "ENABLED",
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, CloudwatchEventTarget.tfResourceType, {
        arn: refTo(defaults, "aws_lambda_function", "arn"),
        rule: refTo(defaults, "aws_cloudwatch_event_rule", "name"),
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, LambdaPermission.tfResourceType, {
        action: "lambda:InvokeFunction",
        principal: "events.amazonaws.com",
        source_arn: refTo(defaults, "aws_cloudwatch_event_rule", "arn"),
        function_name: refTo(defaults, "aws_lambda_function", "function_name"),
      }),
    ).toBe(true);
  });

  it("does not retry failed asynchronous invocations: the next scheduled run supersedes them", () => {
    // Assess
    expect(
      Testing.toHaveResourceWithProperties(defaults.text, LambdaFunctionEventInvokeConfig.tfResourceType, {
        maximum_retry_attempts: 0,
        maximum_event_age_in_seconds: 60,
      }),
    ).toBe(true);
  });

  it("alarms on 3 minutes of function errors and on 3 minutes without an ALB IP (missing data breaching)", () => {
    // Act
    const alarms = all(defaults, "aws_cloudwatch_metric_alarm");
    const errors = alarms.find((a) => a.metric_name === "Errors");
    const ipCount = alarms.find((a) => a.metric_name === "LoadBalancerIPCount");

    // Assess
    expect(errors).toMatchObject({
      alarm_name: "alb-static-ip-errors",
      namespace: "AWS/Lambda",
      dimensions: { FunctionName: refTo(defaults, "aws_lambda_function", "function_name") },
      statistic: "Sum",
      period: 60,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [],
    });
    expect(ipCount).toMatchObject({
      alarm_name: "alb-static-ip-ip-count",
      namespace: "ALBStaticIP",
      dimensions: {
        LoadBalancerName: BASE.albDnsName,
        TargetGroup: `\${element(split(":", ${refTo(defaults, "aws_lb_target_group", "arn").slice(2, -1)}), 5)}`,
      },
      statistic: "Minimum",
      threshold: 1,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
  });

  it("exposes the outputs as references to the created resources", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "outputs");
    const c = new AlbStaticIp(stack, "alb_static_ip", BASE);
    const values = {
      target_group_arn: c.targetGroupArn,
      state_bucket_name: c.stateBucketName,
      function_name: c.functionName,
      errors_alarm_arn: c.errorsAlarmArn,
      ip_count_alarm_arn: c.ipCountAlarmArn,
    };
    for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });

    // Act
    const s = { json: JSON.parse(Testing.synth(stack)) } as Synthesized;
    const outputs = (s.json as unknown as { output: Record<string, { value: string }> }).output;

    // Assess
    expect(c.listenerArn).toBeUndefined();
    expect(outputs.target_group_arn?.value).toBe(refTo(s, "aws_lb_target_group", "arn"));
    expect(outputs.state_bucket_name?.value).toBe(refTo(s, "aws_s3_bucket", "bucket"));
    expect(outputs.function_name?.value).toBe(refTo(s, "aws_lambda_function", "function_name"));
    expect(outputs.ip_count_alarm_arn?.value).toMatch(
      /^\$\{aws_cloudwatch_metric_alarm\.alb_static_ip_ip_count_alarm_[0-9A-F]+\.arn\}$/,
    );
  });
});

describe("AlbStaticIp modes", () => {
  it("adds a TCP listener on the listener port to a given NLB, forwarding to the target group", () => {
    // Act
    const s = synth({ nlbArn: NLB_ARN });

    // Assess
    expect(one(s, "aws_lb_listener")).toMatchObject({
      load_balancer_arn: NLB_ARN,
      port: 443,
      protocol: "TCP",
      default_action: [{ type: "forward", target_group_arn: refTo(s, "aws_lb_target_group", "arn") }],
    });
  });

  it("syncs an existing target group without creating one", () => {
    // Act
    const s = synth({ createTargetGroup: false, targetGroupArn: TG_ARN, vpcId: undefined });

    // Assess
    expect(all(s, "aws_lb_target_group")).toHaveLength(0);
    expect(envOf(s).NLB_TG_ARN).toBe(TG_ARN);
    expect(functionStatements(s).find((st) => st.sid === "SyncTargetsOfThisTargetGroup")?.resources).toEqual([
      TG_ARN,
    ]);
  });

  it("uses an existing state bucket without creating or changing any bucket", () => {
    // Act
    const s = synth({ createStateBucket: false, stateBucketName: "my-existing-bucket" });

    // Assess
    expect(Object.keys(s.json.resource).filter((t) => t.startsWith("aws_s3_"))).toEqual([]);
    expect(envOf(s).S3_BUCKET).toBe("my-existing-bucket");
  });

  it("names a created bucket when asked, otherwise lets AWS append a unique suffix to <name>-", () => {
    // Act
    const named = one(synth({ stateBucketName: "my-state-bucket" }), "aws_s3_bucket");
    const generated = one(defaults, "aws_s3_bucket");

    // Assess
    expect(named).toMatchObject({ bucket: "my-state-bucket" });
    expect(named).not.toHaveProperty("bucket_prefix");
    expect(generated).toMatchObject({ bucket_prefix: "alb-static-ip-", force_destroy: false });
  });

  it("checks HTTP health checks against a path with a 2xx/3xx matcher", () => {
    // Act
    const s = synth({ healthCheckProtocol: "HTTPS", healthCheckPath: "/health" });

    // Assess
    expect((one(s, "aws_lb_target_group") as { health_check: Json }).health_check).toMatchObject({
      protocol: "HTTPS",
      path: "/health",
      matcher: "200-399",
    });
  });

  it("skips the IP-count alarm in a dry run, which publishes no datapoint", () => {
    // Act
    const s = synth({ dryRun: true });

    // Assess
    expect(all(s, "aws_cloudwatch_metric_alarm").map((a) => a.metric_name)).toEqual(["Errors"]);
  });

  it("skips the IP-count alarm and says so to the function when metrics are off", () => {
    // Act
    const s = synth({ publishIpCountMetric: false });

    // Assess
    expect(all(s, "aws_cloudwatch_metric_alarm").map((a) => a.metric_name)).toEqual(["Errors"]);
    expect(envOf(s).CW_METRIC_FLAG_IP_COUNT).toBe("false");
    expect(s.construct.ipCountAlarmArn).toBeUndefined();
  });

  it("encrypts the created bucket with a given KMS key and lets the role use that key only", () => {
    // Prepare
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    // Act
    const s = synth({ stateBucketKmsKeyArn: key });

    // Assess
    expect(one(s, "aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({
      rule: [
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key },
          bucket_key_enabled: true,
        },
      ],
    });
    expect(functionStatements(s).find((st) => st.sid === "UseStateBucketKey")).toEqual({
      sid: "UseStateBucketKey",
      effect: "Allow",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [key],
    });
  });
});

describe("several listeners (listeners)", () => {
  it("declares one target group and listener per entry with for_each, and refuses the shorthand beside it", () => {
    // Act
    const s = synth({
      albListenerPort: undefined,
      nlbArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef",
      listeners: { http: { port: 80 }, https: { port: 443, ipAddressType: "ipv6" } },
    });

    // Assess
    const locals = JSON.stringify((s.json as { locals?: Json }).locals ?? {});
    expect(typeof one(s, "aws_lb_target_group").for_each).toBe("string");
    expect(typeof one(s, "aws_lb_listener").for_each).toBe("string");
    expect(locals).toContain('"port":80');
    expect(locals).toContain('"ip_address_type":"ipv6"');
    expect(locals).toContain('"name":"alb-static-ip-https"');
    expect(() => synth({ listeners: { http: { port: 80 } } })).toThrow(
      /albListenerPort or listeners, not both/,
    );
    expect(() => synth({ albListenerPort: undefined, listeners: { Bad_Key: { port: 80 } } })).toThrow(
      /listeners key "Bad_Key"/,
    );
  });
});

describe("a role managed elsewhere (createRole: false)", () => {
  it("creates no role and attaches nothing, runs the function as roleArn, and still renders the policy it needs", () => {
    // Act
    const s = synth({ createRole: false, roleArn: "arn:aws:iam::123456789012:role/platform/given" });

    // Assess
    expect(all(s, "aws_iam_role")).toEqual([]);
    expect(all(s, "aws_iam_role_policy")).toEqual([]);
    expect(one(s, "aws_lambda_function").role).toBe("arn:aws:iam::123456789012:role/platform/given");
    expect(s.construct.roleName).toBeUndefined();
    expect(functionStatements(s).map((st) => st.sid)).toContain("SyncTargetsOfThisTargetGroup");
  });
});

/** For each prop: a non-default value and where it must show up in the synthesized JSON. */
const PROP_EFFECTS: Record<
  string,
  [value: unknown, check: (s: Synthesized) => unknown, expected: unknown, context?: Partial<AlbStaticIpProps>]
> = {
  name: ["edge-a", (s) => one(s, "aws_lambda_function").function_name, "edge-a"],
  albDnsName: [
    "internal-other-9.eu-west-1.elb.amazonaws.com",
    (s) => envOf(s).ALB_DNS_NAME,
    "internal-other-9.eu-west-1.elb.amazonaws.com",
  ],
  albListenerPort: [8443, (s) => [one(s, "aws_lb_target_group").port, envOf(s).ALB_LISTENER], [8443, "8443"]],
  vpcId: ["vpc-0fedcba9876543210", (s) => one(s, "aws_lb_target_group").vpc_id, "vpc-0fedcba9876543210"],
  deregistrationDelaySeconds: [120, (s) => one(s, "aws_lb_target_group").deregistration_delay, "120"],
  healthCheckPath: [
    "/ping",
    (s) => (one(s, "aws_lb_target_group") as { health_check: Json }).health_check.path,
    "/ping",
    { healthCheckProtocol: "HTTP" },
  ],
  stateBucketForceDestroy: [true, (s) => one(s, "aws_s3_bucket").force_destroy, true],
  stateNoncurrentVersionExpirationDays: [
    7,
    (s) =>
      (one(s, "aws_s3_bucket_lifecycle_configuration") as { rule: { noncurrent_version_expiration: Json }[] })
        .rule[0]?.noncurrent_version_expiration,
    [{ noncurrent_days: 7 }],
  ],
  runtime: ["nodejs26.x", (s) => one(s, "aws_lambda_function").runtime, "nodejs26.x"],
  memorySize: [512, (s) => one(s, "aws_lambda_function").memory_size, 512],
  reservedConcurrentExecutions: [
    null,
    (s) => one(s, "aws_lambda_function").reserved_concurrent_executions,
    undefined,
  ],
  timeout: [45, (s) => one(s, "aws_lambda_function").timeout, 45],
  scheduleExpression: [
    "rate(2 minutes)",
    (s) => one(s, "aws_cloudwatch_event_rule").schedule_expression,
    "rate(2 minutes)",
  ],
  logRetentionInDays: [365, (s) => one(s, "aws_cloudwatch_log_group").retention_in_days, 365],
  logGroupKmsKeyArn: [
    "arn:aws:kms:us-east-1:123456789012:key/abcd",
    (s) => one(s, "aws_cloudwatch_log_group").kms_key_id,
    "arn:aws:kms:us-east-1:123456789012:key/abcd",
  ],
  albArn: [
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef",
    (s) => one(s, "aws_lb", true).arn,
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef",
  ],
  albName: ["my-alb", (s) => one(s, "aws_lb", true).name, "my-alb"],
  allowedTargetCidrs: [
    ["10.0.1.0/24", "10.0.2.0/24"],
    (s) => s.text.includes('length([\\"10.0.1.0/24\\", \\"10.0.2.0/24\\"])'),
    true,
  ],
  allowAnyTargetCidr: [true, (s) => envOf(s).ALLOW_ANY_TARGET_CIDR, "true"],
  maxLookupPerInvocation: [200, (s) => envOf(s).MAX_LOOKUP_PER_INVOCATION, "200"],
  invocationsBeforeDeregistration: [5, (s) => envOf(s).INVOCATIONS_BEFORE_DEREGISTRATION, "5"],
  healthyInvocationsBeforeDeregistration: [
    30,
    (s) => envOf(s).HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION,
    "30",
  ],
  sameVpc: [false, (s) => envOf(s).SAME_VPC, "false"],
  stateKeyPrefix: [
    "sync/",
    (s) => [
      envOf(s).STATE_KEY_PREFIX,
      functionStatements(s)
        .find((st) => st.sid === "ReadWriteStateObject")
        ?.resources?.[0]?.endsWith("/sync/*"),
    ],
    ["sync/", true],
  ],
  dnsServers: [["10.0.0.2", "10.0.0.3:5353"], (s) => envOf(s).DNS_SERVERS, "10.0.0.2,10.0.0.3:5353"],
  dnsTimeoutMs: [500, (s) => envOf(s).DNS_TIMEOUT_MS, "500"],
  dnsConcurrency: [8, (s) => envOf(s).DNS_CONCURRENCY, "8"],
  missProbability: [0.001, (s) => envOf(s).MISS_PROBABILITY, "0.001"],
  maxDeregistrationsPerRun: [2, (s) => envOf(s).MAX_DEREGISTRATIONS_PER_RUN, "2"],
  dryRun: [true, (s) => [envOf(s).DRY_RUN, all(s, "aws_cloudwatch_metric_alarm").length], ["true", 1]],
  metricNamespace: [
    "Edge/StaticIP",
    (s) => [
      envOf(s).METRIC_NAMESPACE,
      all(s, "aws_cloudwatch_metric_alarm").find((a) => a.metric_name === "LoadBalancerIPCount")?.namespace,
    ],
    ["Edge/StaticIP", "Edge/StaticIP"],
  ],
  logLevel: ["DEBUG", (s) => envOf(s).LOG_LEVEL, "DEBUG"],
  awsMaxAttempts: [2, (s) => envOf(s).AWS_MAX_ATTEMPTS, "2"],
  awsRequestTimeoutMs: [2000, (s) => envOf(s).AWS_REQUEST_TIMEOUT_MS, "2000"],
  cleanupUnservedPorts: [true, (s) => envOf(s).CLEANUP_UNSERVED_PORTS, "true"],
  createIpCountAlarm: [false, (s) => all(s, "aws_cloudwatch_metric_alarm").length, 3],
  createOutsideAllowedCidrsAlarm: [false, (s) => all(s, "aws_cloudwatch_metric_alarm").length, 3],
  createUnservedPortsAlarm: [false, (s) => all(s, "aws_cloudwatch_metric_alarm").length, 3],
  createInterfacesNotElbManagedAlarm: [
    false,
    (s) => all(s, "aws_cloudwatch_metric_alarm").length,
    4,
    {
      discoveryMode: "eni",
      albArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef",
    },
  ],
  createDashboard: [false, (s) => all(s, "aws_cloudwatch_dashboard").length, 0],
  alarmActions: [
    ["arn:aws:sns:us-east-1:123456789012:alerts"],
    (s) => all(s, "aws_cloudwatch_metric_alarm").map((a) => [a.alarm_actions, a.ok_actions]),
    [
      [["arn:aws:sns:us-east-1:123456789012:alerts"], ["arn:aws:sns:us-east-1:123456789012:alerts"]],
      [["arn:aws:sns:us-east-1:123456789012:alerts"], ["arn:aws:sns:us-east-1:123456789012:alerts"]],
      [["arn:aws:sns:us-east-1:123456789012:alerts"], ["arn:aws:sns:us-east-1:123456789012:alerts"]],
      [["arn:aws:sns:us-east-1:123456789012:alerts"], ["arn:aws:sns:us-east-1:123456789012:alerts"]],
    ],
  ],
  roleArn: [
    "arn:aws:iam::123456789012:role/other",
    (s) => one(s, "aws_lambda_function").role,
    "arn:aws:iam::123456789012:role/other",
    { createRole: false, roleArn: "arn:aws:iam::123456789012:role/platform/given" },
  ],
  rolePath: ["/service-role/", (s) => one(s, "aws_iam_role").path, "/service-role/"],
  rolePermissionsBoundary: [
    "arn:aws:iam::123456789012:policy/boundary",
    (s) => one(s, "aws_iam_role").permissions_boundary,
    "arn:aws:iam::123456789012:policy/boundary",
  ],
  createLogGroup: [
    false,
    (s) => [
      all(s, "aws_cloudwatch_log_group").length,
      (one(s, "aws_lambda_function") as { logging_config: { log_group: string } }).logging_config.log_group,
      String(functionStatements(s).find((st) => st.sid === "WriteOwnLogGroup")?.resources?.[0]).endsWith(
        ":log-group:/platform/alb-static-ip:*",
      ),
    ],
    [0, "/platform/alb-static-ip", true],
    { logGroupName: "/platform/alb-static-ip" },
  ],
  logGroupName: [
    "/platform/other",
    (s) =>
      (one(s, "aws_lambda_function") as { logging_config: { log_group: string } }).logging_config.log_group,
    "/platform/other",
    { createLogGroup: false, logGroupName: "/platform/alb-static-ip" },
  ],
  kmsKeyArn: [
    "arn:aws:kms:us-east-1:123456789012:key/env",
    (s) => one(s, "aws_lambda_function").kms_key_arn,
    "arn:aws:kms:us-east-1:123456789012:key/env",
  ],
  tracingMode: [
    "Active",
    (s) => [
      (one(s, "aws_lambda_function") as { tracing_config: { mode: string } }).tracing_config.mode,
      functionStatements(s).find((st) => st.sid === "WriteTraces")?.actions,
    ],
    ["Active", ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]],
  ],
  targetGroupTags: [
    { tier: "edge" },
    (s) => one(s, "aws_lb_target_group").tags,
    { team: "a", tier: "edge" },
    { tags: { team: "a" } },
  ],
  listenerTags: [
    { tier: "edge" },
    (s) => one(s, "aws_lb_listener").tags,
    { team: "a", tier: "edge" },
    {
      tags: { team: "a" },
      nlbArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef",
    },
  ],
  stateBucketTags: [
    { team: "b" },
    (s) => one(s, "aws_s3_bucket").tags,
    { team: "b" },
    { tags: { team: "a" } },
  ],
  roleTags: [
    { tier: "edge" },
    (s) => one(s, "aws_iam_role").tags,
    { team: "a", tier: "edge" },
    { tags: { team: "a" } },
  ],
  logGroupTags: [
    { tier: "edge" },
    (s) => one(s, "aws_cloudwatch_log_group").tags,
    { team: "a", tier: "edge" },
    { tags: { team: "a" } },
  ],
  functionTags: [
    { tier: "edge" },
    (s) => one(s, "aws_lambda_function").tags,
    { team: "a", tier: "edge" },
    { tags: { team: "a" } },
  ],
  scheduleTags: [
    { tier: "edge" },
    (s) => one(s, "aws_cloudwatch_event_rule").tags,
    { team: "a", tier: "edge" },
    { tags: { team: "a" } },
  ],
  alarmTags: [
    { tier: "edge" },
    (s) => all(s, "aws_cloudwatch_metric_alarm").map((a) => a.tags),
    [
      { team: "a", tier: "edge" },
      { team: "a", tier: "edge" },
      { team: "a", tier: "edge" },
      { team: "a", tier: "edge" },
    ],
    { tags: { team: "a" } },
  ],
  tags: [
    { team: "edge" },
    (s) => [
      one(s, "aws_lambda_function").tags,
      one(s, "aws_s3_bucket").tags,
      one(s, "aws_lb_target_group").tags,
    ],
    [{ team: "edge" }, { team: "edge" }, { team: "edge" }],
  ],
};

/** Props whose effect is tested by the mode tests above. */
const COVERED_ABOVE = [
  // The module's master switch; a literal false is rejected in a CDKTF app (tested above), Terraform plans it
  // in test/deploy/module.test.ts.
  "create",
  "createRole",
  "listeners",
  "createTargetGroup",
  "targetGroupArn",
  "healthCheckProtocol",
  "createListener",
  "nlbArn",
  "createStateBucket",
  "stateBucketName",
  "stateBucketKmsKeyArn",
  "publishIpCountMetric",
  "discoveryMode",
  // test/infra/discovery.test.ts
  "albVpcId",
  "albRoleArn",
  "albRoleExternalId",
  "eventDriven",
];

describe("every prop changes the synthesized output", () => {
  it("has an effect test for every prop of the module", () => {
    // Act
    const untested = Object.keys(INPUTS).filter((p) => !(p in PROP_EFFECTS) && !COVERED_ABOVE.includes(p));

    // Assess
    expect(untested).toEqual([]);
  });

  it.each(Object.entries(PROP_EFFECTS))(
    "%s: a non-default value reaches the resources",
    (prop, [value, check, expected, context]) => {
      // Prepare
      const before = check(context === undefined ? defaults : synth(context));

      // Act
      const after = check(synth({ ...context, [prop]: value }));

      // Assess
      expect(after).toEqual(expected);
      expect(after).not.toEqual(before);
    },
  );

  it("passes discovery_mode through to the function", () => {
    // Act
    const s = synth({ discoveryMode: "dns" });

    // Assess: "dns" is the only mode so far; the variable still flows through.
    expect(envOf(s).DISCOVERY_MODE).toBe(DEFAULTS.discoveryMode);
  });
});

describe("the cleanup of targets on ports the function no longer serves", () => {
  it("is off unless asked for: the function's environment does not name it", () => {
    // Act
    const off = [envOf(defaults), envOf(synth({ cleanupUnservedPorts: false }))];
    const on = envOf(synth({ cleanupUnservedPorts: true }));

    // Assess
    expect(off.map((env) => "CLEANUP_UNSERVED_PORTS" in env)).toEqual([false, false]);
    expect(on.CLEANUP_UNSERVED_PORTS).toBe("true");
  });

  it("is a module input (cleanup_unserved_ports, default false) merged into the environment only when true", () => {
    // Act
    const module = renderModule();

    // Assess
    expect(INPUTS.cleanupUnservedPorts).toMatchObject({
      variable: "cleanup_unserved_ports",
      kind: "bool",
      default: false,
    });
    expect(INPUTS.cleanupUnservedPorts.description).toMatch(
      /no longer serves.*state object owns.*healthy on a served port.*max_deregistrations_per_run.*Leave it false when another deployment/,
    );
    expect(module.files["main.tf"]).toContain(
      'var.cleanup_unserved_ports ? { "CLEANUP_UNSERVED_PORTS" = "true" } : {},',
    );
    expect(module.files["main.tf"]).not.toMatch(/CLEANUP_UNSERVED_PORTS\s+= tostring/);
  });
});

describe("AlbStaticIp rejects bad literal props at synth time", () => {
  it("lists every problem at once, naming the prop, the value and what is expected", () => {
    // Act
    const problems = propProblems({
      ...BASE,
      name: "Bad_Name",
      albListenerPort: 70000,
      targetGroupArn: "arn:aws:s3:::not-a-target-group",
      createTargetGroup: false,
      metricNamespace: "AWS/ELB",
      logRetentionInDays: 42,
      runtime: "nodejs18.x",
    });

    // Assess
    expect(problems).toHaveLength(6);
    expect(problems.join("\n")).toMatch(/name "Bad_Name"/);
    expect(problems.join("\n")).toMatch(/albListenerPort 70000: expected a whole number from 1 to 65535/);
    expect(problems.join("\n")).toMatch(/targetGroupArn "arn:aws:s3:::not-a-target-group"/);
    expect(problems.join("\n")).toMatch(/metricNamespace "AWS\/ELB"/);
    expect(problems.join("\n")).toMatch(/logRetentionInDays 42/);
    expect(problems.join("\n")).toMatch(/runtime "nodejs18.x"/);
  });

  it.each([
    [{ createTargetGroup: false }, /pass targetGroupArn/],
    [{ vpcId: undefined }, /vpcId is required/],
    [{ createListener: true }, /pass nlbArn/],
    [{ createStateBucket: false }, /pass stateBucketName/],
    [{ createRole: false }, /createRole is false: pass roleArn/],
    [{ roleArn: "arn:aws:iam::123456789012:role/given" }, /roleArn is set but createRole is true/],
    [{ createLogGroup: false }, /createLogGroup is false: pass logGroupName/],
    [{ create: false }, /leave AlbStaticIp out/],
    [{ tracingMode: "On" }, /tracingMode "On": expected Active or PassThrough/],
    [{ rolePath: "service-role" }, /rolePath "service-role"/],
  ])("refuses the incomplete combination %j", (props, message) => {
    // Act / Assess
    expect(() => synth(props)).toThrow(message);
  });
});

describe("the deployment package", () => {
  it("zips a bundle directory as an asset and hashes it at plan time", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "alb-static-ip-bundle-"));
    writeFileSync(join(dir, "index.mjs"), "export const handler = async () => {};\n");
    const stack = new TerraformStack(Testing.app(), "pkg");

    // Act
    const code = lambdaCodeFromDirectory(stack, "code", dir);
    new AlbStaticIp(stack, "x", { ...BASE, lambdaCode: code });
    const fn = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_lambda_function)[0] as Json;
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(fn.filename).toMatch(/^assets\/code\/[0-9A-F]+\/archive\.zip$/);
    expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename}")}`);
  });

  it("tells the user to build when the bundle directory is missing", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "pkg");

    // Act / Assess
    expect(() => lambdaCodeFromDirectory(stack, "code", "/nonexistent/dist/lambda")).toThrow(/npm run build/);
  });
});

describe("AlbStaticIp names and toggles", () => {
  it("gives the role a name prefix, since IAM names are account-wide", () => {
    // Act
    const role = one(synth(), "aws_iam_role");

    // Assess
    expect(role.name).toBeUndefined();
    expect(role.name_prefix).toBe("alb-static-ip-");
  });

  it("creates the listener when an NLB is given, like the module's create_listener = null", () => {
    // Act / Assess
    expect(all(synth({ nlbArn: NLB_ARN }), "aws_lb_listener")).toHaveLength(1);
    expect(all(synth(), "aws_lb_listener")).toHaveLength(0);
  });

  it("rejects targetGroupArn while the target group is created (it would be ignored)", () => {
    // Act
    const problems = propProblems({ ...BASE, targetGroupArn: TG_ARN });

    // Assess
    expect(problems.join()).toMatch(/would be ignored/);
  });
});
