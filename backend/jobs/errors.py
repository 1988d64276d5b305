"""Failures that background work tells apart: worth another try, or never going to work."""


class TransientError(Exception):
    """Something outside Stride failed for now (a service down, a simulated hiccup): retry."""


class PermanentDeliveryError(Exception):
    """The mail server refused the message for good (a 5xx answer): retrying cannot help."""
