data "aws_iam_policy_document" "kms" {
  count = var.create ? 1 : 0

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

data "aws_iam_policy_document" "xray" {
  count = var.create ? 1 : 0

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

data "aws_iam_policy_document" "describe_interfaces" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = toset(((var.discovery_mode == "eni") && !(var.alb_role_arn != null)) ? ["*"] : [])
    iterator = each

    content {
      sid       = "DescribeAlbInterfaces"
      effect    = "Allow"
      actions   = ["ec2:DescribeNetworkInterfaces"]
      resources = [each.value]
    }
  }
}

data "aws_iam_policy_document" "assume_alb_role" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = toset(((var.discovery_mode == "eni") && (var.alb_role_arn != null)) ? [var.alb_role_arn] : [])
    iterator = each

    content {
      sid       = "AssumeAlbAccountRole"
      effect    = "Allow"
      actions   = ["sts:AssumeRole"]
      resources = [each.value]
    }
  }
}

data "aws_iam_policy_document" "this" {
  count = var.create ? 1 : 0
  source_policy_documents = [
    data.aws_iam_policy_document.kms[0].json,
    data.aws_iam_policy_document.xray[0].json,
    data.aws_iam_policy_document.describe_interfaces[0].json,
    data.aws_iam_policy_document.assume_alb_role[0].json,
  ]

  statement {
    actions   = ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"]
    effect    = "Allow"
    resources = values(local.target_group_arns)
    sid       = "SyncTargetsOfThisTargetGroup"
  }

  statement {
    actions   = ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"]
    effect    = "Allow"
    resources = ["*"]
    sid       = "ReadTargetHealth"
  }

  statement {
    actions = ["s3:GetObject", "s3:PutObject"]
    effect  = "Allow"
    resources = [
      "arn:${data.aws_partition.current.partition}:s3:::${local.state_bucket_name}/${var.state_key_prefix}*",
    ]
    sid = "ReadWriteStateObject"
  }

  statement {
    actions   = ["s3:ListBucket"]
    effect    = "Allow"
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.state_bucket_name}"]
    sid       = "MissingStateIsNotFound"
  }

  statement {
    actions   = ["cloudwatch:PutMetricData"]
    effect    = "Allow"
    resources = ["*"]
    sid       = "PublishOwnMetrics"

    condition {
      test     = "StringEquals"
      values   = [var.metric_namespace]
      variable = "cloudwatch:namespace"
    }
  }

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    effect    = "Allow"
    resources = ["${local.log_group_arn}:*"]
    sid       = "WriteOwnLogGroup"
  }
}

data "aws_iam_policy_document" "assume_role" {
  count = (var.create && var.create_role) ? 1 : 0

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

resource "aws_iam_role" "this" {
  count                = (var.create && var.create_role) ? 1 : 0
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
  count  = (var.create && var.create_role) ? 1 : 0
  name   = "alb-static-ip"
  policy = data.aws_iam_policy_document.this[0].json
  role   = aws_iam_role.this[0].id
}
