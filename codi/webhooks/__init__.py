"""GitHub webhook deliveries: verification, deduplication and the jobs they become."""
