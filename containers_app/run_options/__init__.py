"""`docker run` in full: its values, its flags, the command both ways, and shell expansions.

Pure: no Docker, no Django.
"""
