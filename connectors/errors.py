"""Connector errors, classified by what the caller should do next.

| class            | the caller should                                                        |
|------------------|--------------------------------------------------------------------------|
| TransientError   | retry (the base already retried with backoff before raising it)          |
| RateLimited      | wait `retry_after` seconds, then retry                                   |
| Rejected         | record the platform's code and message; do not retry until content changes |
| AuthError        | stop this shop's batch and alert: token, key or signature is wrong       |
|  TokenExpired    | (an AuthError) the access token expired: a connected shop refreshes once and retries |
|  ReauthorisationNeeded | (an AuthError) the platform refused the refresh: the seller must authorise again |
| NotFound         | the remote item is gone: forget the remote id and plan a create          |
| UnknownOutcome   | the request may have been applied: look the seller SKU up before retrying |

Messages never carry credentials: connectors build them from the platform's error code and
message only, and `redact` scrubs anything a platform might echo back.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorClass(StrEnum):
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    REJECTED = "rejected"
    AUTH = "auth"
    NOT_FOUND = "not_found"
    UNKNOWN_OUTCOME = "unknown_outcome"


class ConnectorError(Exception):
    error_class: ErrorClass

    def __init__(self, message: str, *, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        code = f"[{self.code}] " if self.code else ""
        return f"{code}{self.message}"


class TransientError(ConnectorError):
    error_class = ErrorClass.TRANSIENT


class RateLimited(ConnectorError):
    error_class = ErrorClass.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message, code=code, request_id=request_id)
        self.retry_after = retry_after


class Rejected(ConnectorError):
    error_class = ErrorClass.REJECTED


class AuthError(ConnectorError):
    error_class = ErrorClass.AUTH


class TokenExpired(AuthError):
    """The platform says the access token expired (or is no longer valid)."""


class ReauthorisationNeeded(AuthError):
    """The platform refused a code or a refresh token (an invalid grant): only the seller can fix it."""


class NotFound(ConnectorError):
    error_class = ErrorClass.NOT_FOUND


class UnknownOutcome(ConnectorError):
    error_class = ErrorClass.UNKNOWN_OUTCOME
