"""Compose stacks: projects found by their labels, run by the host's own Compose tool."""
