"""Background jobs run for real: job workers as processes (`workers`), a shop of one framework with its job
worker and its receipts (`shop`), and the measurements the jobs notebook shows (`runs`)."""
