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
  createUnservedPortsAlarm: {
    variable: "create_unserved_ports_alarm",
    kind: "bool",
    description:
      'Create the alarm on TargetsOnUnservedPorts >= 1 in every period of the alarm window, per target group: targets left on a port of the target group that the function no longer serves (after alb_listener_port or a listeners port changed). They still get traffic while the ALB listens there; set cleanup_unserved_ports = true or deregister them by hand (docs/operations.md, "Lost state"). Not without publish_ip_count_metric or with dry_run.',
    default: DEFAULTS.createUnservedPortsAlarm,
  },
  createInterfacesNotElbManagedAlarm: {
    variable: "create_interfaces_not_elb_managed_alarm",
    kind: "bool",
    description:
      "Create the alarm on InterfacesNotElbManaged >= 1 (with discovery_mode = \"eni\" only): a network interface with the ALB's description that ELB did not create, never registered, a security event; find its CreateNetworkInterface call in CloudTrail and delete it (SECURITY.md). One alarm, on the primary target group's series. Not without publish_ip_count_metric or with dry_run.",
    default: DEFAULTS.createInterfacesNotElbManagedAlarm,
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
