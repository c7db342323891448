"""The gateway's version, in one place (the package face, the server header and the CLI print it)."""

__version__ = "0.1.0"
