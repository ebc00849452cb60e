"""What the audit log records: the closed set of action names (docs/audit.md lists each
action's actor and payload)."""

from enum import StrEnum


class AuditAction(StrEnum):
    INGEST_BATCH_PROCESSED = "ingest.batch_processed"
    USER_SIGNED_UP = "user.signed_up"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOGGED_OUT = "user.logged_out"
    USER_EMAIL_VERIFIED = "user.email_verified"
    DEVICE_PAIRING_STARTED = "device.pairing_started"
    DEVICE_PAIRED = "device.paired"
    DEVICE_REVOKED = "device.revoked"
