"""Dockside keeps no copy of Docker's state: containers and images are read live from the engine."""
