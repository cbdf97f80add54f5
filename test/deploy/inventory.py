"""Prints, as JSON, what exists in moto (argv[1] = endpoint): the resources the module and the examples
create, by kind, so the deploy test can check that `terraform destroy` left nothing behind. With argv[2] = a
role ARN of another account, what exists in that account (moto's AssumeRole gives that account's resources)."""
import json
import sys

import boto3

endpoint = sys.argv[1]
credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
if len(sys.argv) > 2:
    assumed = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **credentials).assume_role(
        RoleArn=sys.argv[2], RoleSessionName="inventory")["Credentials"]
    credentials = {"aws_access_key_id": assumed["AccessKeyId"], "aws_secret_access_key": assumed["SecretAccessKey"],
                   "aws_session_token": assumed["SessionToken"]}


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **credentials)


ec2 = client("ec2")
elbv2 = client("elbv2")
inventory = {
    "buckets": [b["Name"] for b in client("s3").list_buckets()["Buckets"]],
    "functions": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
    "roles": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
    "log_groups": [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
    "rules": [r["Name"] for r in client("events").list_rules()["Rules"]],
    "alarms": [a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]],
    "dashboards": [d["DashboardName"] for d in client("cloudwatch").list_dashboards()["DashboardEntries"]],
    "target_groups": [t["TargetGroupName"] for t in elbv2.describe_target_groups()["TargetGroups"]],
    "load_balancers": [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]],
    "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")],
    "eips": [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]],
}
print(json.dumps(inventory))
