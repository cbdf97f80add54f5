/**
 * The module's outputs (outputs.tf): name, description and the construct's value for each, in the order the
 * file lists them.
 */
import type { AlbStaticIp } from "../alb-static-ip.js";

/** One output of the module. */
export interface OutputSpec {
  readonly name: string;
  readonly description: string;
  readonly value: string | Readonly<Record<string, string>> | undefined;
}

/** Every output of the module built from `construct`. */
export function moduleOutputs(construct: AlbStaticIp): OutputSpec[] {
  return [
    {
      name: "target_group_arn",
      description:
        'ARN of the NLB target group kept in sync (created or given); with listeners, the entry "default" or else the first.',
      value: construct.targetGroupArn,
    },
    {
      name: "target_group_arns",
      description:
        'Target group ARN per listeners entry (created or given); the one-listener shorthand is the entry "default".',
      value: construct.targetGroupArns,
    },
    {
      name: "listener_arns",
      description: "NLB listener ARN per listeners entry that has one.",
      value: construct.listenerArns,
    },
    {
      name: "target_group_name",
      description: "Name of the NLB target group kept in sync.",
      value: construct.targetGroupName,
    },
    {
      name: "target_group_arn_suffix",
      description:
        "ARN suffix of the target group (targetgroup/<name>/<id>), the TargetGroup dimension of its CloudWatch metrics.",
      value: construct.targetGroupArnSuffix,
    },
    {
      name: "listener_arn",
      description: "ARN of the NLB listener; null when create_listener is false.",
      value: construct.listenerArn,
    },
    {
      name: "state_bucket_name",
      description: "Name of the S3 bucket holding the state (created or given).",
      value: construct.stateBucketName,
    },
    {
      name: "state_bucket_arn",
      description: "ARN of the S3 bucket holding the state (created or given).",
      value: construct.stateBucketArn,
    },
    { name: "function_name", description: "Name of the Lambda function.", value: construct.functionName },
    { name: "function_arn", description: "ARN of the Lambda function.", value: construct.functionArn },
    {
      name: "role_arn",
      description: "ARN of the function's IAM role (created or given).",
      value: construct.roleArn,
    },
    {
      name: "role_name",
      description: "Name of the created IAM role; null when create_role is false.",
      value: construct.roleName,
    },
    {
      name: "role_policy_json",
      description:
        "The least-privilege policy the function needs, as JSON: attached to the created role, or for whoever manages role_arn when create_role is false.",
      value: construct.rolePolicyJson,
    },
    {
      name: "log_group_name",
      description: "Name of the function's CloudWatch log group (created or given).",
      value: construct.logGroupName,
    },
    {
      name: "log_group_arn",
      description: "ARN of the function's CloudWatch log group (created or given).",
      value: construct.logGroupArn,
    },
    {
      name: "schedule_rule_arn",
      description: "ARN of the EventBridge rule that invokes the function.",
      value: construct.scheduleRuleArn,
    },
    {
      name: "schedule_rule_name",
      description: "Name of the EventBridge rule that invokes the function.",
      value: construct.scheduleRuleName,
    },
    {
      name: "errors_alarm_arn",
      description: "ARN of the alarm on function errors.",
      value: construct.errorsAlarmArn,
    },
    {
      name: "errors_alarm_name",
      description: "Name of the alarm on function errors.",
      value: construct.errorsAlarmName,
    },
    {
      name: "allowed_target_cidrs_source",
      description:
        'Where ALLOWED_TARGET_CIDRS came from: "variable", "alb_subnets", "vpc" (the weaker bound: set alb_arn) or "any" (allow_any_target_cidr).',
      value: construct.allowedTargetCidrsSource,
    },
    {
      name: "ip_count_alarm_arn",
      description: "ARN of the alarm on LoadBalancerIPCount; null when not created.",
      value: construct.ipCountAlarmArn,
    },
    {
      name: "ip_count_alarm_name",
      description: "Name of the alarm on LoadBalancerIPCount; null when not created.",
      value: construct.ipCountAlarmName,
    },
    {
      name: "outside_allowed_cidrs_alarm_names",
      description:
        'Name of the alarm on TargetsOutsideAllowedCidrs per listeners entry ("default" for the one-listener shorthand); empty when not created.',
      value: construct.outsideAllowedCidrsAlarmNames,
    },
    {
      name: "unserved_ports_alarm_names",
      description:
        'Name of the alarm on TargetsOnUnservedPorts per listeners entry ("default" for the one-listener shorthand); empty when not created.',
      value: construct.unservedPortsAlarmNames,
    },
    {
      name: "interfaces_not_elb_managed_alarm_name",
      description:
        'Name of the alarm on InterfacesNotElbManaged (discovery_mode = "eni"); null when not created.',
      value: construct.interfacesNotElbManagedAlarmName,
    },
    {
      name: "dashboard_name",
      description: "Name of the CloudWatch dashboard; null when create_dashboard is false.",
      value: construct.dashboardName,
    },
  ];
}
