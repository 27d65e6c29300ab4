"""Read models for pages, API and CLI: what a reader sees, gathered from the records; they never write."""
