"""Background jobs run for real: job workers as processes (`workers`), a shop of one framework with its job
worker and its receipts (`shop`), the measurements the production notebook shows (`runs`), their tables and
figure (`report`), and a function shown from its file without importing it (`source`)."""
