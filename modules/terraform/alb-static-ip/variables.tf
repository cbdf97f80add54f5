variable "name" {
  description = "Name of the function, log group, schedule rule, alarms and (when created) target group, and prefix of the role and bucket names. Unique per region and account (the role name gets a unique suffix, so the same name works in several regions). Changing the port or VPC of the created target group replaces it under the same name: see docs/operations.md (Operations notes)."
  type        = string
  default     = "alb-static-ip"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", var.name))
    error_message = "name must be 1-32 lower-case letters, digits or hyphens, not starting or ending with a hyphen."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "create" {
  description = "Master switch: false creates nothing (and looks nothing up), for wrapper modules that enable the sync per environment."
  type        = bool
  default     = true
  nullable    = false
}

variable "alb_dns_name" {
  description = "DNS name of the internal Application Load Balancer, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com (ALB_DNS_NAME)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+\\.elb\\.[a-z0-9.-]+\\.?$", var.alb_dns_name))
    error_message = "alb_dns_name must be the ALB's DNS name, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com."
  }
}

variable "alb_listener_port" {
  description = "ALB listener port: the port of the targets in the NLB target group and of the NLB listener (ALB_LISTENER). The one-listener shorthand (the listeners entry \"default\"); required unless listeners is set."
  type        = number
  default     = null

  validation {
    condition = (
      var.alb_listener_port == null ? true :
      (
        var.alb_listener_port >= 1 &&
        var.alb_listener_port <= 65535 &&
        floor(var.alb_listener_port) == var.alb_listener_port
      )
    )
    error_message = "alb_listener_port must be a whole number from 1 to 65535 (a TCP port)."
  }
}

variable "alb_arn" {
  description = "ARN of the ALB (ALB_ARN). Its subnets' CIDR blocks (IPv4 and IPv6) become ALLOWED_TARGET_CIDRS, the bound on what a DNS answer can register, unless allowed_target_cidrs is set. Null: alb_name, else the weaker bound of the target group VPC's blocks. Required with discovery_mode = \"eni\" and for event_driven. For an ALB in another account the subnet look-up cannot see it: set allowed_target_cidrs."
  type        = string
  default     = null

  validation {
    condition = var.alb_arn == null || can(regex(join("", [
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
      "elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:",
      "loadbalancer\\/app\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$",
    ]), var.alb_arn))
    error_message = "alb_arn must be an Application Load Balancer ARN (…:loadbalancer/app/<name>/<id>)."
  }
}

variable "alb_name" {
  description = "Name of the ALB, instead of alb_arn, to look up its subnets."
  type        = string
  default     = null

  validation {
    condition     = var.alb_name == null || can(regex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", var.alb_name))
    error_message = "alb_name must be an ALB name of 1-32 letters, digits or hyphens."
  }
}

variable "allowed_target_cidrs" {
  description = "CIDR blocks a DNS answer may get registered (ALLOWED_TARGET_CIDRS); IPs outside them are refused and reported. Empty: the ALB's subnets (alb_arn or alb_name), else the target group VPC's blocks. See the allowed_target_cidrs_source output."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = length(var.allowed_target_cidrs) <= 64 && alltrue([
      for c in var.allowed_target_cidrs : can(cidrhost(c, 0)) && (
        strcontains(c, ":") || cidrhost(c, 0) == split("/", c)[0]
      )
    ])
    error_message = "allowed_target_cidrs must hold at most 64 CIDR blocks with the host bits zero, e.g. 10.0.1.0/24."
  }
}

variable "allow_any_target_cidr" {
  description = "Explicit opt-out (ALLOW_ANY_TARGET_CIDR): accept 0.0.0.0/0 or ::/0, so any IP a DNS answer names can be registered. Read SECURITY.md first."
  type        = bool
  default     = false
  nullable    = false
}

variable "listeners" {
  description = "Several listeners from one function (TARGET_GROUPS), instead of alb_listener_port: a map from a short key (1-16 lower-case letters, digits, hyphens) to { port, target_group_arn (an existing group; null: one is created, named <name>-<key>), create_listener (null: create_listener, else when nlb_arn is set), ip_address_type (ipv4 or ipv6; ipv6 needs a dualstack ALB and NLB), health_check_protocol, health_check_path }. The key \"default\" is the shorthand's entry and keeps its names, so a single-listener deployment moves into the map without replacing anything. At most 10 entries."
  type = map(object({
    port                  = number
    target_group_arn      = optional(string)
    create_listener       = optional(bool)
    ip_address_type       = optional(string, "ipv4")
    health_check_protocol = optional(string)
    health_check_path     = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition = length(var.listeners) <= 10 && alltrue([
      for k, l in var.listeners : (
        can(regex("^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$", k)) &&
        l.port >= 1 &&
        l.port <= 65535 &&
        floor(l.port) == l.port
      )
    ])
    error_message = "listeners must have at most 10 entries, keys of 1-16 lower-case letters, digits or hyphens, and ports from 1 to 65535."
  }

  validation {
    condition = alltrue([
      for l in values(var.listeners) : contains(["ipv4", "ipv6"], l.ip_address_type) && (
        l.health_check_protocol == null ? true : contains(["TCP", "HTTP", "HTTPS"], l.health_check_protocol)
      )
    ])
    error_message = "listeners: ip_address_type must be ipv4 or ipv6, health_check_protocol TCP, HTTP or HTTPS."
  }

  validation {
    condition = alltrue([
      for l in values(var.listeners) : (
        l.target_group_arn == null ? true :
        can(regex(join("", [
          "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
          "elasticloadbalancing:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):",
          "([0-9]{12}):targetgroup\\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)\\/([0-9a-f]{16})$",
        ]), l.target_group_arn))
      )
    ])
    error_message = "listeners: target_group_arn must be a target group ARN (arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)."
  }
}

variable "vpc_id" {
  description = "VPC of the NLB. Required when create_target_group is true."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0123456789abcdef0."
  }
}

variable "create_target_group" {
  description = "Create the IP-type TCP target group. Set to false to use an existing one (target_group_arn)."
  type        = bool
  default     = true
  nullable    = false
}

variable "target_group_arn" {
  description = "ARN of an existing IP-type target group to keep in sync. Required when create_target_group is false."
  type        = string
  default     = null

  validation {
    condition = var.target_group_arn == null || can(regex(join("", [
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
      "elasticloadbalancing:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):",
      "([0-9]{12}):targetgroup\\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)\\/([0-9a-f]{16})$",
    ]), var.target_group_arn))
    error_message = "target_group_arn must be a target group ARN, arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits>."
  }

  validation {
    condition = var.target_group_arn == null || try(split(":", var.target_group_arn)[1] == (
      startswith(split(":", var.target_group_arn)[3], "cn-") ? "aws-cn" :
      startswith(split(":", var.target_group_arn)[3], "us-gov-") ? "aws-us-gov" :
      startswith(split(":", var.target_group_arn)[3], "us-isob-") ? "aws-iso-b" :
      startswith(split(":", var.target_group_arn)[3], "us-isof-") ? "aws-iso-f" :
      startswith(split(":", var.target_group_arn)[3], "eu-isoe-") ? "aws-iso-e" :
      startswith(split(":", var.target_group_arn)[3], "us-iso-") ? "aws-iso" :
      startswith(split(":", var.target_group_arn)[3], "eusc-") ? "aws-eusc" :
      "aws"
    ), false)
    error_message = "target_group_arn: the partition (2nd field) must be the one of the region (4th field), e.g. aws-cn for cn-north-1."
  }
}

variable "health_check_protocol" {
  description = "Health check of the created target group: TCP (default; a TCP connect to each ALB IP, independent of listener rules) or HTTP/HTTPS (a request through the ALB's rules)."
  type        = string
  default     = "TCP"
  nullable    = false

  validation {
    condition     = contains(["TCP", "HTTP", "HTTPS"], var.health_check_protocol)
    error_message = "health_check_protocol must be one of TCP, HTTP, HTTPS."
  }
}

variable "health_check_path" {
  description = "Path requested by HTTP/HTTPS health checks; ignored for TCP."
  type        = string
  default     = "/"
  nullable    = false

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "deregistration_delay_seconds" {
  description = "Seconds a deregistered ALB IP stays draining in the created target group, so connections to a retiring ALB node can finish (the ALB idle timeout must stay below the NLB's 350 s)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition = (
      var.deregistration_delay_seconds >= 0 &&
      var.deregistration_delay_seconds <= 3600 &&
      floor(var.deregistration_delay_seconds) == var.deregistration_delay_seconds
    )
    error_message = "deregistration_delay_seconds must be a whole number from 0 to 3600 (seconds)."
  }
}

variable "create_listener" {
  description = "Create a TCP listener on nlb_arn (port alb_listener_port) that forwards to the target group. null (default): create it exactly when nlb_arn is set, as the CDKTF construct does. Set it to true when nlb_arn comes from an NLB created in the same apply: Terraform cannot decide the default at plan time then (\"Invalid count argument\")."
  type        = bool
  default     = null
}

variable "nlb_arn" {
  description = "ARN of the existing Network Load Balancer. Required when create_listener is true."
  type        = string
  default     = null

  validation {
    condition = var.nlb_arn == null || can(regex(join("", [
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
      "elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:",
      "loadbalancer\\/net\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$",
    ]), var.nlb_arn))
    error_message = "nlb_arn must be a Network Load Balancer ARN (…:loadbalancer/net/<name>/<id>)."
  }

  validation {
    condition = var.nlb_arn == null || try(split(":", var.nlb_arn)[1] == (
      startswith(split(":", var.nlb_arn)[3], "cn-") ? "aws-cn" :
      startswith(split(":", var.nlb_arn)[3], "us-gov-") ? "aws-us-gov" :
      startswith(split(":", var.nlb_arn)[3], "us-isob-") ? "aws-iso-b" :
      startswith(split(":", var.nlb_arn)[3], "us-isof-") ? "aws-iso-f" :
      startswith(split(":", var.nlb_arn)[3], "eu-isoe-") ? "aws-iso-e" :
      startswith(split(":", var.nlb_arn)[3], "us-iso-") ? "aws-iso" :
      startswith(split(":", var.nlb_arn)[3], "eusc-") ? "aws-eusc" :
      "aws"
    ), false)
    error_message = "nlb_arn: the partition (2nd field) must be the one of the region (4th field), e.g. aws-cn for cn-north-1."
  }
}

variable "target_group_tags" {
  description = "Tags of the created target group, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "listener_tags" {
  description = "Tags of the created NLB listener, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "create_state_bucket" {
  description = "Create the hardened S3 bucket for the function's state. Set to false to use an existing bucket (state_bucket_name)."
  type        = bool
  default     = true
  nullable    = false
}

variable "state_bucket_name" {
  description = "Name of the state bucket: the name of the created bucket (null: a unique name starting with \"<name>-\"), or the existing bucket when create_state_bucket is false."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, . or -)."
  }

  validation {
    condition = (
      var.state_bucket_name == null ? true :
      (
        !strcontains(var.state_bucket_name, "..") && !can(regex(
          "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$",
          var.state_bucket_name,
        ))
      )
    )
    error_message = "state_bucket_name must not contain two adjacent dots or look like an IP address."
  }

  validation {
    condition = (
      var.state_bucket_name == null ? true :
      (
        !anytrue([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.state_bucket_name, p)]) && !anytrue([
          for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] : endswith(var.state_bucket_name, s)
        ])
      )
    )
    error_message = "state_bucket_name must not start with xn--, sthree-, amzn-s3-demo- or end with -s3alias, --ol-s3, .mrap, --x-s3, --table-s3 (reserved by S3)."
  }
}

variable "state_bucket_kms_key_arn" {
  description = "KMS key ARN for the created bucket's default encryption (SSE-KMS with a bucket key) and the role's kms:Decrypt/GenerateDataKey on it. Null: SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition = var.state_bucket_kms_key_arn == null || can(regex(
      "^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\\/[A-Za-z0-9-]+$",
      var.state_bucket_kms_key_arn,
    ))
    error_message = "state_bucket_kms_key_arn must be a KMS key ARN."
  }
}

variable "state_bucket_force_destroy" {
  description = "Allow terraform destroy to delete the created bucket with its objects and versions. False (default): once the function has written its state, destroy fails with BucketNotEmpty; apply with true first (or empty the bucket), then destroy."
  type        = bool
  default     = false
  nullable    = false
}

variable "state_noncurrent_version_expiration_days" {
  description = "Days a replaced state object version is kept in the created bucket before it expires."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition = (
      var.state_noncurrent_version_expiration_days >= 1 &&
      var.state_noncurrent_version_expiration_days <= 36500 &&
      floor(var.state_noncurrent_version_expiration_days) == var.state_noncurrent_version_expiration_days
    )
    error_message = "state_noncurrent_version_expiration_days must be a whole number from 1 to 36500 (days)."
  }
}

variable "state_bucket_tags" {
  description = "Tags of the created state bucket, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "create_role" {
  description = "Create the function's least-privilege role. Set to false to use an existing role (role_arn); it must trust lambda.amazonaws.com and grant what the role_policy_json output holds (SECURITY.md explains each statement)."
  type        = bool
  default     = true
  nullable    = false
}

variable "role_arn" {
  description = "ARN of an existing role for the function. Required when create_role is false."
  type        = string
  default     = null

  validation {
    condition = var.role_arn == null || can(regex(join("", [
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
      "iam::[0-9]{12}:role\\/[A-Za-z0-9+=,.@_\\/-]{1,512}$",
    ]), var.role_arn))
    error_message = "role_arn must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/my-role."
  }
}

variable "role_path" {
  description = "Path of the created role, e.g. /service-roles/. Null: /."
  type        = string
  default     = null

  validation {
    condition     = var.role_path == null || can(regex("^\\/$|^\\/[\\x21-\\x7E]{1,510}\\/$", var.role_path))
    error_message = "role_path must be / or a path that starts and ends with /."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of the managed policy set as the permissions boundary of the created role. It must allow the role_policy_json actions, or the function fails with AccessDenied."
  type        = string
  default     = null

  validation {
    condition = var.role_permissions_boundary == null || can(regex(join("", [
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):",
      "iam::([0-9]{12}|aws):policy\\/[A-Za-z0-9+=,.@_\\/-]{1,512}$",
    ]), var.role_permissions_boundary))
    error_message = "role_permissions_boundary must be an IAM policy ARN, e.g. arn:aws:iam::123456789012:policy/boundary."
  }
}

variable "role_tags" {
  description = "Tags of the created role, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "runtime" {
  description = "Lambda runtime; the bundle targets Node.js 24."
  type        = string
  default     = "nodejs24.x"
  nullable    = false

  validation {
    condition     = can(regex("^nodejs(2[4-9]|[3-9][0-9])\\.x$", var.runtime))
    error_message = "runtime must be nodejs24.x or a later nodejsNN.x runtime."
  }
}

variable "memory_size" {
  description = "Lambda memory in MB (also scales CPU)."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number from 128 to 10240 (MB)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function. 1 (default) keeps runs from overlapping. null: unreserved, for accounts whose concurrency quota (e.g. 10 in new accounts) leaves nothing to reserve; overlapping runs are then still safe, because every state write is conditional (If-Match / If-None-Match) and a run that loses re-reads and re-plans."
  type        = number
  default     = 1

  validation {
    condition = var.reserved_concurrent_executions == null || (
      try(var.reserved_concurrent_executions >= 1, false) && try(
        floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions,
        false,
      )
    )
    error_message = "reserved_concurrent_executions must be null (unreserved) or a whole number of at least 1."
  }
}

variable "timeout" {
  description = "Lambda timeout in seconds. At least the time a run needs to make a change and record it (41 s with the default aws_max_attempts and aws_request_timeout_ms; checked at plan time). Keep it below the schedule interval so runs do not overlap; a run normally takes under 2 s."
  type        = number
  default     = 50
  nullable    = false

  validation {
    condition     = var.timeout >= 3 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number from 3 to 900 (seconds)."
  }
}

variable "schedule_expression" {
  description = "EventBridge schedule of the function: rate(1 minute), rate(N minutes) or rate(N hours) up to a day. The alarm periods follow it; keep timeout below the interval."
  type        = string
  default     = "rate(1 minute)"
  nullable    = false

  validation {
    condition = can(regex(
      "^rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]{1,3}) minutes|([2-9]|1[0-9]|2[0-4]) hours)\\)$",
      var.schedule_expression,
    ))
    error_message = "schedule_expression must be rate(1 minute), rate(N minutes) or rate(N hours) (N >= 2, at most a day; no cron: the alarms need the interval)."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group in days (0 = never expire)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition = contains([
      0,
      1,
      3,
      5,
      7,
      14,
      30,
      60,
      90,
      120,
      150,
      180,
      365,
      400,
      545,
      731,
      1096,
      1827,
      2192,
      2557,
      2922,
      3288,
      3653,
    ], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_group_kms_key_arn" {
  description = "KMS key ARN to encrypt the log group with (the key policy must allow CloudWatch Logs). Null: service-managed encryption."
  type        = string
  default     = null

  validation {
    condition = var.log_group_kms_key_arn == null || can(regex(
      "^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\\/[A-Za-z0-9-]+$",
      var.log_group_kms_key_arn,
    ))
    error_message = "log_group_kms_key_arn must be a KMS key ARN."
  }
}

variable "create_log_group" {
  description = "Create the function's log group (/aws/lambda/<name>). Set to false to log to an existing group (log_group_name); the role then gets write access to that group only."
  type        = bool
  default     = true
  nullable    = false
}

variable "log_group_name" {
  description = "Name of an existing log group for the function's logs (in this region and account). Required when create_log_group is false; retention and encryption are then the group's own."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_name == null || can(regex("^[A-Za-z0-9_/.#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be a log group name of 1-512 characters [A-Za-z0-9_/.#-]."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the function's environment variables at rest. Null: the Lambda service key. The identity that applies the module needs kms:CreateGrant and kms:Encrypt on it; the function's role needs nothing (Lambda decrypts through its grant)."
  type        = string
  default     = null

  validation {
    condition = var.kms_key_arn == null || can(regex(
      "^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\\/[A-Za-z0-9-]+$",
      var.kms_key_arn,
    ))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing of the function: PassThrough (Lambda's default: trace only when the caller does) or Active. Active adds xray:PutTraceSegments and xray:PutTelemetryRecords (no resource-level permissions: on *) to the role."
  type        = string
  default     = "PassThrough"
  nullable    = false

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be one of PassThrough, Active."
  }
}

variable "function_tags" {
  description = "Tags of the function, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "log_group_tags" {
  description = "Tags of the created log group, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "schedule_tags" {
  description = "Tags of the schedule rule, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "max_lookup_per_invocation" {
  description = "Hard cap on DNS queries per run (MAX_LOOKUP_PER_INVOCATION)."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition = (
      var.max_lookup_per_invocation >= 1 &&
      var.max_lookup_per_invocation <= 5000 &&
      floor(var.max_lookup_per_invocation) == var.max_lookup_per_invocation
    )
    error_message = "max_lookup_per_invocation must be a whole number from 1 to 5000 (queries)."
  }
}

variable "invocations_before_deregistration" {
  description = "Consecutive complete observations an IP must be missing from before it is deregistered (INVOCATIONS_BEFORE_DEREGISTRATION)."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition = (
      var.invocations_before_deregistration >= 1 &&
      var.invocations_before_deregistration <= 1000 &&
      floor(var.invocations_before_deregistration) == var.invocations_before_deregistration
    )
    error_message = "invocations_before_deregistration must be a whole number from 1 to 1000 (runs)."
  }
}

variable "healthy_invocations_before_deregistration" {
  description = "Consecutive complete observations an IP must be missing from before it is deregistered while the NLB still reports it healthy (HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION); at least invocations_before_deregistration."
  type        = number
  default     = 15
  nullable    = false

  validation {
    condition = (
      var.healthy_invocations_before_deregistration >= 1 &&
      var.healthy_invocations_before_deregistration <= 10000 &&
      floor(var.healthy_invocations_before_deregistration) == var.healthy_invocations_before_deregistration
    )
    error_message = "healthy_invocations_before_deregistration must be a whole number from 1 to 10000 (runs)."
  }
}

variable "publish_ip_count_metric" {
  description = "Publish LoadBalancerIPCount and the run metrics to CloudWatch (CW_METRIC_FLAG_IP_COUNT)."
  type        = bool
  default     = true
  nullable    = false
}

variable "same_vpc" {
  description = "The ALB is in the NLB's VPC (SAME_VPC). False registers targets with AvailabilityZone \"all\" (peered VPC)."
  type        = bool
  default     = true
  nullable    = false
}

variable "state_key_prefix" {
  description = "Key prefix of the state object in the bucket (STATE_KEY_PREFIX); the role may read and write only below it."
  type        = string
  default     = "alb-static-ip/"
  nullable    = false

  validation {
    condition     = can(regex("^$|^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,510}\\/$", var.state_key_prefix))
    error_message = "state_key_prefix must be empty or safe key characters ending with /."
  }

  validation {
    condition     = !can(regex("(^|\\/)\\.{1,2}\\/|\\/\\/", var.state_key_prefix))
    error_message = "state_key_prefix must not have empty, . or .. segments (a//, ./, a/../)."
  }
}

variable "dns_servers" {
  description = "DNS servers (host or host:port) to query instead of the ALB zone's authoritative name servers (DNS_SERVERS). Empty: authoritative servers."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.dns_servers) <= 16
    error_message = "dns_servers takes at most 16 entries."
  }

  validation {
    condition = alltrue([
      for s in var.dns_servers : can(regex(
        "^(\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\\.?(:[0-9]{1,5})?)$",
        s,
      ))
    ])
    error_message = "dns_servers entries must be host[:port] (IPv4 address or host name), [IPv6]:port or an IPv6 address."
  }
}

variable "dns_timeout_ms" {
  description = "Timeout of one DNS query in milliseconds (DNS_TIMEOUT_MS)."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition = (
      var.dns_timeout_ms >= 50 &&
      var.dns_timeout_ms <= 30000 &&
      floor(var.dns_timeout_ms) == var.dns_timeout_ms
    )
    error_message = "dns_timeout_ms must be a whole number from 50 to 30000 (milliseconds)."
  }
}

variable "dns_concurrency" {
  description = "DNS queries in flight (DNS_CONCURRENCY)."
  type        = number
  default     = 16
  nullable    = false

  validation {
    condition = (
      var.dns_concurrency >= 1 &&
      var.dns_concurrency <= 32 &&
      floor(var.dns_concurrency) == var.dns_concurrency
    )
    error_message = "dns_concurrency must be a whole number from 1 to 32 (queries)."
  }
}

variable "miss_probability" {
  description = "Discovery stops when the estimated chance that an ALB IP was missed drops below this (MISS_PROBABILITY)."
  type        = number
  default     = 0.000001
  nullable    = false

  validation {
    condition     = var.miss_probability > 0 && var.miss_probability <= 0.5
    error_message = "miss_probability must be greater than 0 and at most 0.5, e.g. 1e-6."
  }
}

variable "max_deregistrations_per_run" {
  description = "Cap on targets deregistered in one run (MAX_DEREGISTRATIONS_PER_RUN)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition = (
      var.max_deregistrations_per_run >= 1 &&
      var.max_deregistrations_per_run <= 1000 &&
      floor(var.max_deregistrations_per_run) == var.max_deregistrations_per_run
    )
    error_message = "max_deregistrations_per_run must be a whole number from 1 to 1000 (targets)."
  }
}

variable "dry_run" {
  description = "Log the planned changes without registering, deregistering or writing state (DRY_RUN)."
  type        = bool
  default     = false
  nullable    = false
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the function's metrics (METRIC_NAMESPACE); the role may publish only to it."
  type        = string
  default     = "ALBStaticIP"
  nullable    = false

  validation {
    condition = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.metric_namespace)) && !startswith(
      lower(var.metric_namespace),
      "aws/",
    )
    error_message = "metric_namespace must be 1-255 letters, digits or . - _ / # : and must not start with AWS/ (reserved by CloudWatch)."
  }
}

variable "log_level" {
  description = "Log level of the function (LOG_LEVEL)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARN, ERROR, SILENT."
  }
}

variable "discovery_mode" {
  description = "How the function finds the ALB's IPs (DISCOVERY_MODE): \"dns\" samples its DNS name; \"eni\" lists its network interfaces (exact; needs alb_arn and ec2:DescribeNetworkInterfaces, or alb_role_arn)."
  type        = string
  default     = "dns"
  nullable    = false

  validation {
    condition     = contains(["dns", "eni"], var.discovery_mode)
    error_message = "discovery_mode must be one of dns, eni."
  }
}

variable "aws_max_attempts" {
  description = "Attempts per AWS API call, the first included (AWS_MAX_ATTEMPTS)."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition = (
      var.aws_max_attempts >= 1 &&
      var.aws_max_attempts <= 10 &&
      floor(var.aws_max_attempts) == var.aws_max_attempts
    )
    error_message = "aws_max_attempts must be a whole number from 1 to 10 (attempts)."
  }
}

variable "aws_request_timeout_ms" {
  description = "Timeout of one attempt of an AWS API call in milliseconds, so a hung connection is abandoned (AWS_REQUEST_TIMEOUT_MS)."
  type        = number
  default     = 5000
  nullable    = false

  validation {
    condition = (
      var.aws_request_timeout_ms >= 100 &&
      var.aws_request_timeout_ms <= 60000 &&
      floor(var.aws_request_timeout_ms) == var.aws_request_timeout_ms
    )
    error_message = "aws_request_timeout_ms must be a whole number from 100 to 60000 (milliseconds)."
  }
}

variable "cleanup_unserved_ports" {
  description = "Deregister the targets left on a port of this module's target groups that the function no longer serves, e.g. after alb_listener_port or a listeners port changed (CLEANUP_UNSERVED_PORTS). Only targets the old port's state object owns; each once its IP is healthy on a served port (or the NLB reports it not healthy), never leaving the target group without a target on a served port, within max_deregistrations_per_run, claimed in that state first. Leave it false when another deployment serves that port of the same target group with the same bucket and state_key_prefix. False: such targets are only reported (metric TargetsOnUnservedPorts)."
  type        = bool
  default     = false
  nullable    = false
}

variable "create_ip_count_alarm" {
  description = "Create the alarm on LoadBalancerIPCount < 1 for 3 minutes (missing data counts as breaching). Only with publish_ip_count_metric and without dry_run (both mean no datapoints)."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_outside_allowed_cidrs_alarm" {
  description = "Create the alarm on TargetsOutsideAllowedCidrs >= 1, per target group: the function observed an IP outside ALLOWED_TARGET_CIDRS and refused it. The list taken from the ALB's subnets is fixed at apply time, so when the ALB gains a subnet, re-apply the module. Not with allow_any_target_cidr, without publish_ip_count_metric or with dry_run."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_unserved_ports_alarm" {
  description = "Create the alarm on TargetsOnUnservedPorts >= 1 in every period of the alarm window, per target group: targets left on a port of the target group that the function no longer serves (after alb_listener_port or a listeners port changed). They still get traffic while the ALB listens there; set cleanup_unserved_ports = true or deregister them by hand (docs/operations.md, \"Lost state\"). Not without publish_ip_count_metric or with dry_run."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_interfaces_not_elb_managed_alarm" {
  description = "Create the alarm on InterfacesNotElbManaged >= 1 (with discovery_mode = \"eni\" only): a network interface with the ALB's description that ELB did not create, never registered, a security event; find its CreateNetworkInterface call in CloudTrail and delete it (SECURITY.md). One alarm, on the primary target group's series. Not without publish_ip_count_metric or with dry_run."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard named like the function: ALB IPs found against healthy targets, registrations and deregistrations, DNS queries, discovery completeness, run errors and duration."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when an alarm fires and when it recovers."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.alarm_actions : startswith(arn, "arn:")])
    error_message = "alarm_actions must hold ARNs, e.g. arn:aws:sns:us-east-1:123456789012:alerts."
  }
}

variable "alarm_tags" {
  description = "Tags of the alarms, merged over tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "alb_vpc_id" {
  description = "ALB_VPC_ID, with discovery_mode = \"eni\": the ALB's VPC, to narrow the interface lookup. Null: the function takes the VPC from its first lookup (by the interface description alone; no extra permission)."
  type        = string
  default     = null

  validation {
    condition     = var.alb_vpc_id == null || can(regex("^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$", var.alb_vpc_id))
    error_message = "alb_vpc_id must be a VPC id, vpc- and 8 or 17 hex digits."
  }
}

variable "alb_role_arn" {
  description = "ALB_ROLE_ARN, with discovery_mode = \"eni\": a role in the ALB's account (the ALB is in another account) that the function assumes for ec2:DescribeNetworkInterfaces. The function's own role then gets sts:AssumeRole on this ARN only, and no ec2 permission. See examples/cross-account-alb."
  type        = string
  default     = null

  validation {
    condition = var.alb_role_arn == null || can(regex(
      "^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::([0-9]{12}):role\\/(?:[\\x21-\\x7e]{1,510}\\/)?[A-Za-z0-9+=,.@_-]{1,64}$",
      var.alb_role_arn,
    ))
    error_message = "alb_role_arn must be an IAM role ARN, arn:aws:iam::<account>:role/<name>."
  }
}

variable "alb_role_external_id" {
  description = "ALB_ROLE_EXTERNAL_ID: the external id that alb_role_arn's trust policy requires (sts:ExternalId)."
  type        = string
  default     = null

  validation {
    condition = (
      var.alb_role_external_id == null ? true :
      (
        can(regex("^[A-Za-z0-9_+=,.@:/-]+$", var.alb_role_external_id)) &&
        length(var.alb_role_external_id) >= 2 &&
        length(var.alb_role_external_id) <= 1224
      )
    )
    error_message = "alb_role_external_id must be 2-1224 characters of letters, digits and _+=,.@:/-."
  }
}

variable "event_driven" {
  description = "Run the function at once when ELB creates or deletes one of the ALB's network interfaces (an EventBridge rule on the CloudTrail events, with its own lambda permission); the schedule stays as the backstop. Needs discovery_mode = \"eni\" (rejected with \"dns\": a DNS run cannot see a new interface yet, and every ELB interface deletion in the region would cost a run), alb_arn, and a CloudTrail trail recording management events in this region. Null: true when discovery_mode = \"eni\"."
  type        = bool
  default     = null
}
