output "nlb_dns_name" {
  description = "DNS name of the NLB; its per-AZ Elastic IPs are the static addresses clients use."
  value       = data.aws_lb.nlb.dns_name
}

output "target_group_arn" {
  description = "ARN of the target group the function keeps in sync with the ALB's IPs."
  value       = module.alb_static_ip.target_group_arn
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.alb_static_ip.function_name
}

output "state_bucket_name" {
  description = "Bucket holding the function's state."
  value       = module.alb_static_ip.state_bucket_name
}
