"""What every front door shares: authentication, rate limits, Redis connections, health checks,
the errors services raise."""
