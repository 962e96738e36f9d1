"""Errors of the fake OCI API. Each carries the HTTP status and the OCI error code the real service
uses, so the unmodified SDK raises ``oci.exceptions.ServiceError`` with the same ``status``/``code``.
"""
from __future__ import annotations


class SimError(Exception):
    """An OCI error response: ``status`` (HTTP) and ``code`` (OCI error code) plus a message."""

    status: int = 500
    code: str = "InternalServerError"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        """Return the JSON error body OCI sends: ``{"code": ..., "message": ...}``."""
        return {"code": self.code, "message": self.message}


class InvalidParameter(SimError):
    """400: a parameter has a bad value (unknown region, bad page token, refused copy...)."""

    status, code = 400, "InvalidParameter"


class MissingParameter(SimError):
    """400: a required parameter is absent."""

    status, code = 400, "MissingParameter"


class NotAuthenticated(SimError):
    """401: the request is not signed (no or malformed ``authorization`` header)."""

    status, code = 401, "NotAuthenticated"


class NotAuthorizedOrNotFound(SimError):
    """404: the resource does not exist or the caller may not see it (OCI does not say which)."""

    status, code = 404, "NotAuthorizedOrNotFound"


class NotFound(SimError):
    """404: no route for the path (OCI answers unknown paths with ``NotFound``)."""

    status, code = 404, "NotFound"


class Conflict(SimError):
    """409: the request conflicts with the current state (copy already in flight, retry token reuse)."""

    status, code = 409, "Conflict"


class IncorrectState(SimError):
    """409: the resource is not in a state that allows the operation (source backup not AVAILABLE)."""

    status, code = 409, "IncorrectState"


class TooManyRequests(SimError):
    """429: the per-(region, operation) rate limit was exceeded."""

    status, code = 429, "TooManyRequests"


class InternalServerError(SimError):
    """500: injected server fault."""

    status, code = 500, "InternalServerError"


class ServiceUnavailable(SimError):
    """503: the region is down (injected)."""

    status, code = 503, "ServiceUnavailable"
