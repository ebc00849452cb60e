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
    USER_ACCOUNT_DELETED = "user.account_deleted"
    SHARE_VISIBILITY_CHANGED = "share.visibility_changed"
    SHARE_GRANTED = "share.granted"
    SHARE_REVOKED = "share.revoked"
    SHARE_ORG_GRANTED = "share.org_granted"
    SHARE_ORG_REVOKED = "share.org_revoked"
    SHARE_VIEWED = "share.viewed"
    ORG_CREATED = "org.created"
    ORG_DELETED = "org.deleted"
    ORG_MEMBER_ADDED = "org.member_added"
    ORG_MEMBER_ROLE_CHANGED = "org.member_role_changed"
    ORG_MEMBER_REMOVED = "org.member_removed"
