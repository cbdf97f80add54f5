# A statement of the function's policy that only some settings need: zero or one, merged into it below.
data "aws_iam_policy_document" "kms" {
  count = var.create ? 1 : 0

  # The state bucket's KMS key (SSE-KMS), only when state_bucket_kms_key_arn is set.
  dynamic "statement" {
    for_each = toset((var.state_bucket_kms_key_arn != null) ? [var.state_bucket_kms_key_arn] : [])
    iterator = each

    content {
      sid       = "UseStateBucketKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [each.value]
    }
  }
}

# A statement of the function's policy that only some settings need: zero or one, merged into it below.
data "aws_iam_policy_document" "xray" {
  count = var.create ? 1 : 0

  # X-Ray writes (as in AWSXRayDaemonWriteAccess), only with tracing_mode = "Active"; X-Ray defines no resource types
  # for them.
  dynamic "statement" {
    for_each = toset((var.tracing_mode == "Active") ? ["Active"] : [])
    iterator = each

    content {
      sid       = "WriteTraces"
      effect    = "Allow"
      actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      resources = ["*"]
    }
  }
}

# A statement of the function's policy that only some settings need: zero or one, merged into it below.
data "aws_iam_policy_document" "describe_interfaces" {
  count = var.create ? 1 : 0

  # ENI discovery in this account, only with discovery_mode = "eni" and no alb_role_arn. ec2:DescribeNetworkInterfaces
  # supports no resource-level permissions.
  dynamic "statement" {
    for_each = toset((local.eni_discovery && !(var.alb_role_arn != null)) ? ["*"] : [])
    iterator = each

    content {
      sid       = "DescribeAlbInterfaces"
      effect    = "Allow"
      actions   = ["ec2:DescribeNetworkInterfaces"]
      resources = [each.value]
    }
  }
}

# A statement of the function's policy that only some settings need: zero or one, merged into it below.
data "aws_iam_policy_document" "assume_alb_role" {
  count = var.create ? 1 : 0

  # ENI discovery of an ALB in another account: exactly the role that account grants the lookup to, and no ec2
  # permission here.
  dynamic "statement" {
    for_each = toset((local.eni_discovery && (var.alb_role_arn != null)) ? [var.alb_role_arn] : [])
    iterator = each

    content {
      sid       = "AssumeAlbAccountRole"
      effect    = "Allow"
      actions   = ["sts:AssumeRole"]
      resources = [each.value]
    }
  }
}

# The function's least-privilege policy (SECURITY.md explains every statement): attached to the created role, and the
# role_policy_json output for a role managed elsewhere.
data "aws_iam_policy_document" "this" {
  count = var.create ? 1 : 0
  source_policy_documents = [
    data.aws_iam_policy_document.kms[0].json,
    data.aws_iam_policy_document.xray[0].json,
    data.aws_iam_policy_document.describe_interfaces[0].json,
    data.aws_iam_policy_document.assume_alb_role[0].json,
  ]

  # The only write to the load balancers: register and deregister on exactly the target groups kept in sync.
  statement {
    actions   = ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"]
    effect    = "Allow"
    resources = values(local.target_group_arns)
    sid       = "SyncTargetsOfThisTargetGroup"
  }

  # ELBv2 Describe actions support no resource-level permissions (Service Authorization Reference), so "*" is the
  # narrowest resource. DescribeTargetGroups reads each group's IP address type once per container.
  statement {
    actions   = ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"]
    effect    = "Allow"
    resources = ["*"]
    sid       = "ReadTargetHealth"
  }

  # Only the state objects below state_key_prefix: their keys embed the target group's name and id, which a created
  # group has only after apply, hence the prefix. A conditional write (If-Match) needs s3:GetObject as well as
  # s3:PutObject.
  statement {
    actions = ["s3:GetObject", "s3:PutObject"]
    effect  = "Allow"
    resources = [
      "arn:${data.aws_partition.current.partition}:s3:::${local.state_bucket_name}/${var.state_key_prefix}*",
    ]
    sid = "ReadWriteStateObject"
  }

  # s3:ListBucket on the bucket, so that a missing state object (the first run) reads as 404 NoSuchKey, not 403
  # AccessDenied. No s3:prefix condition: the implicit check of a GetObject carries none.
  statement {
    actions   = ["s3:ListBucket"]
    effect    = "Allow"
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.state_bucket_name}"]
    sid       = "MissingStateIsNotFound"
  }

  # Its own log group only, which exists before the function (so no logs:CreateLogGroup). The metrics travel in these
  # logs (embedded metric format), so the role has no cloudwatch:PutMetricData.
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    effect    = "Allow"
    resources = ["${local.log_group_arn}:*"]
    sid       = "WriteOwnLogGroup"
  }
}

data "aws_iam_policy_document" "assume_role" {
  count = local.create_role ? 1 : 0

  # Only the Lambda service may assume the role.
  statement {
    actions = ["sts:AssumeRole"]
    effect  = "Allow"
    sid     = "LambdaAssumesRole"

    principals {
      identifiers = ["lambda.amazonaws.com"]
      type        = "Service"
    }
  }
}

# A name prefix, not a name: IAM names are account-wide, so the same name works in every region.
resource "aws_iam_role" "this" {
  count                = local.create_role ? 1 : 0
  assume_role_policy   = data.aws_iam_policy_document.assume_role[0].json
  description          = "Lets the alb-static-ip function keep one NLB target group in sync with an ALB's IPs."
  name_prefix          = "${var.name}-"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  tags                 = merge(var.tags, var.role_tags)

  lifecycle {
    precondition {
      condition     = (var.role_arn == null)
      error_message = "role_arn is set but create_role is true, so it would be ignored: set create_role = false to use that role, or remove role_arn."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count  = local.create_role ? 1 : 0
  name   = "alb-static-ip"
  policy = data.aws_iam_policy_document.this[0].json
  role   = aws_iam_role.this[0].id
}
