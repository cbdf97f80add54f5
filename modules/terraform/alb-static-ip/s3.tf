# The function's state: one small JSON object per target group, written conditionally (If-Match), so two overlapping
# runs cannot overwrite each other. Without force_destroy, destroy fails once state exists: the history is not deleted
# silently (docs/operations.md, Operations notes).
resource "aws_s3_bucket" "state" {
  count         = local.create_state_bucket ? 1 : 0
  bucket        = var.state_bucket_name
  bucket_prefix = (var.state_bucket_name == null) ? "${var.name}-" : null
  force_destroy = var.state_bucket_force_destroy
  tags          = merge(var.tags, var.state_bucket_tags)
}

# No public ACL or bucket policy can ever open the state bucket.
resource "aws_s3_bucket_public_access_block" "state" {
  count                   = local.create_state_bucket ? 1 : 0
  block_public_acls       = true
  block_public_policy     = true
  bucket                  = aws_s3_bucket.state[0].id
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  count  = local.create_state_bucket ? 1 : 0
  bucket = aws_s3_bucket.state[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  count  = local.create_state_bucket ? 1 : 0
  bucket = aws_s3_bucket.state[0].id

  rule {
    bucket_key_enabled = (var.state_bucket_kms_key_arn != null)

    apply_server_side_encryption_by_default {
      kms_master_key_id = var.state_bucket_kms_key_arn
      sse_algorithm     = (var.state_bucket_kms_key_arn == null) ? "AES256" : "aws:kms"
    }
  }
}

# Versioned, so an earlier state can be restored by hand; replaced versions expire after
# state_noncurrent_version_expiration_days.
resource "aws_s3_bucket_versioning" "state" {
  count  = local.create_state_bucket ? 1 : 0
  bucket = aws_s3_bucket.state[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  count  = local.create_state_bucket ? 1 : 0
  bucket = aws_s3_bucket.state[0].id

  rule {
    id     = "expire-noncurrent-state-versions"
    status = "Enabled"

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.state_noncurrent_version_expiration_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

# The state bucket's policy: deny every request that is not HTTPS with TLS 1.2 or later.
data "aws_iam_policy_document" "state_bucket" {
  count = local.create_state_bucket ? 1 : 0

  # Every request to the state bucket must use TLS.
  statement {
    actions   = ["s3:*"]
    effect    = "Deny"
    resources = [aws_s3_bucket.state[0].arn, "${aws_s3_bucket.state[0].arn}/*"]
    sid       = "DenyInsecureTransport"

    condition {
      test     = "Bool"
      values   = ["false"]
      variable = "aws:SecureTransport"
    }

    principals {
      identifiers = ["*"]
      type        = "*"
    }
  }

  # Every request to the state bucket must use TLS 1.2 or later.
  statement {
    actions   = ["s3:*"]
    effect    = "Deny"
    resources = [aws_s3_bucket.state[0].arn, "${aws_s3_bucket.state[0].arn}/*"]
    sid       = "DenyOutdatedTls"

    condition {
      test     = "NumericLessThan"
      values   = ["1.2"]
      variable = "s3:TlsVersion"
    }

    principals {
      identifiers = ["*"]
      type        = "*"
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  count  = local.create_state_bucket ? 1 : 0
  bucket = aws_s3_bucket.state[0].id
  policy = data.aws_iam_policy_document.state_bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.state]
}
