output "static_ips" {
  description = "The NLB's Elastic IPs: the fixed addresses to give to firewalls and clients."
  value       = aws_eip.nlb[*].public_ip
}

output "url" {
  description = "Try it: the ALB's answer through the first static IP (a minute after apply, once the targets are healthy)."
  value       = "http://${aws_eip.nlb[0].public_ip}/"
}

output "nlb_dns_name" {
  description = "DNS name of the NLB."
  value       = aws_lb.nlb.dns_name
}

output "target_group_arn" {
  description = "ARN of the port-80 target group (the entry default)."
  value       = module.alb_static_ip.target_group_arn
}

output "target_group_arns" {
  description = "ARN of each entry's target group kept in sync with the ALB's IPs."
  value       = module.alb_static_ip.target_group_arns
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.alb_static_ip.function_name
}

output "state_bucket_name" {
  description = "The bucket holding the function's state (empty it, or set state_bucket_force_destroy, before destroy)."
  value       = module.alb_static_ip.state_bucket_name
}
