/** Module variables — alarms and the dashboard. */
import { DEFAULTS } from "./defaults.js";
import { type InputGroup, tagsInput } from "./spec.js";

export const MONITORING_INPUTS = {
  createIpCountAlarm: {
    variable: "create_ip_count_alarm",
    kind: "bool",
    description:
      "Create the alarm on LoadBalancerIPCount < 1 for 3 minutes (missing data counts as breaching). Only with publish_ip_count_metric and without dry_run (both mean no datapoints).",
    default: DEFAULTS.createIpCountAlarm,
  },
  createOutsideAllowedCidrsAlarm: {
    variable: "create_outside_allowed_cidrs_alarm",
    kind: "bool",
    description:
      "Create the alarm on TargetsOutsideAllowedCidrs >= 1, per target group: the function observed an IP outside ALLOWED_TARGET_CIDRS and refused it. The list taken from the ALB's subnets is fixed at apply time, so when the ALB gains a subnet, re-apply the module. Not with allow_any_target_cidr, without publish_ip_count_metric or with dry_run.",
    default: DEFAULTS.createOutsideAllowedCidrsAlarm,
  },
  createDashboard: {
    variable: "create_dashboard",
    kind: "bool",
    description:
      "Create a CloudWatch dashboard named like the function: ALB IPs found against healthy targets, registrations and deregistrations, DNS queries, discovery completeness, run errors and duration.",
    default: DEFAULTS.createDashboard,
  },
  alarmActions: {
    variable: "alarm_actions",
    kind: "list(string)",
    description: "ARNs (e.g. SNS topics) notified when an alarm fires and when it recovers.",
    default: [],
    validation: [
      {
        condition: 'alltrue([for arn in var.alarm_actions : startswith(arn, "arn:")])',
        errorMessage: "alarm_actions must hold ARNs, e.g. arn:aws:sns:us-east-1:123456789012:alerts.",
      },
    ],
  },
  alarmTags: tagsInput("alarm_tags", "the alarms"),
} as const satisfies InputGroup;
