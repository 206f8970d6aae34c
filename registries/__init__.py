"""Registries Dockside knows, with their credentials encrypted at rest."""
