"""Serving the dashboard to a team: nginx template, replica runner, compose and Kubernetes files."""
