moved {
  from = aws_lb_target_group.this[0]
  to   = aws_lb_target_group.this["default"]
}

moved {
  from = aws_lb_listener.this[0]
  to   = aws_lb_listener.this["default"]
}

moved {
  from = aws_cloudwatch_metric_alarm.ip_count[0]
  to   = aws_cloudwatch_metric_alarm.ip_count["default"]
}

moved {
  from = aws_cloudwatch_dashboard.this[0]
  to   = aws_cloudwatch_dashboard.this["default"]
}
