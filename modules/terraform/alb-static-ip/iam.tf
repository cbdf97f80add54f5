data "aws_iam_policy_document" "describe_interfaces" {
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

data "aws_iam_policy_document" "assume_role" {
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
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  description        = "Lets the alb-static-ip function keep one NLB target group in sync with an ALB's IPs."
  name_prefix        = "${var.name}-"
  tags               = var.tags
}

data "aws_iam_policy_document" "kms" {
  dynamic "statement" {
    for_each = toset((var.state_bucket_kms_key_arn == null) ? [] : [var.state_bucket_kms_key_arn])
    iterator = each

    content {
      sid       = "UseStateBucketKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [each.value]
    }
  }
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = [
    data.aws_iam_policy_document.kms.json,
    data.aws_iam_policy_document.describe_interfaces.json,
    data.aws_iam_policy_document.assume_alb_role.json,
  ]

  statement {
    actions   = ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"]
    effect    = "Allow"
    resources = [local.target_group_arn]
    sid       = "SyncTargetsOfThisTargetGroup"
  }

  statement {
    actions   = ["elasticloadbalancing:DescribeTargetHealth"]
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
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
    sid       = "WriteOwnLogGroup"
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "alb-static-ip"
  policy = data.aws_iam_policy_document.this.json
  role   = aws_iam_role.this.id
}
