"""The S3 side of the audit mirror (`S3AuditMirror`, the official `minio` client): uploads,
reads for verification, and the bucket's Object Lock set-up and check. Owns the network I/O
to the object store; every call is synchronous (run it in a thread).

The bucket must have Object Lock with a default COMPLIANCE retention of at least
`retention_days`: then nobody, root account included, can delete a mirrored row or shorten
its retention until it expires.
"""

import io
from collections.abc import Iterator

import urllib3  # minio's own HTTP client; passed in for timeouts and retries we choose
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import MinioException, S3Error
from minio.objectlockconfig import DAYS, YEARS, ObjectLockConfig
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from starstats_server.errors import MirrorUnavailable
from starstats_server.settings import Settings, read_secret

CONTENT_TYPE = "application/x-ndjson"
PREFIX = "audit/"
_MISSING = frozenset({"NoSuchKey", "NoSuchVersion"})
_tracer = trace.get_tracer("starstats_server.audit")


def s3_client(settings: Settings) -> Minio | None:
    """A client for the configured endpoint (reading `_FILE` secrets now), or None when no
    endpoint is set. Requests give up after 3 s to connect and 10 s to answer, with one
    retry: the mirror worker has its own backoff, and readiness must answer quickly."""
    endpoint = settings.audit_s3_endpoint
    if endpoint is None:
        return None
    secret = settings.audit_s3_secret_key
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3, read=10),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",  # the system's CA store, as everywhere else
        retries=urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=[502, 503, 504]),
    )
    host = endpoint.host or ""
    return Minio(
        f"{host}:{endpoint.port}" if endpoint.port else host,
        access_key=read_secret(
            settings.audit_s3_access_key,
            settings.audit_s3_access_key_file,
            "STARSTATS_AUDIT_S3_ACCESS_KEY",
        ),
        secret_key=read_secret(
            None if secret is None else secret.get_secret_value(),
            settings.audit_s3_secret_key_file,
            "STARSTATS_AUDIT_S3_SECRET_KEY",
        ),
        secure=endpoint.scheme == "https",
        region=settings.audit_s3_region,
        http_client=http,
    )


def _retention_days(config: ObjectLockConfig) -> int:
    duration = config.duration or 0
    return duration * 365 if config.duration_unit == YEARS else duration


class S3AuditMirror:
    """`AuditMirror` on an S3 bucket (MinIO, SeaweedFS, AWS...)."""

    def __init__(self, client: Minio, bucket: str, retention_days: int) -> None:
        self.client = client
        self.bucket = bucket
        self.retention_days = retention_days

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3AuditMirror | None":
        client = s3_client(settings)
        if client is None:
            return None
        return cls(client, settings.audit_bucket, settings.audit_retention_days)

    def put(self, key: str, body: bytes) -> None:
        with _tracer.start_as_current_span(
            "s3 PutObject",
            kind=SpanKind.CLIENT,
            attributes={
                "rpc.system": "aws-api",
                "rpc.method": "PutObject",
                "aws.s3.bucket": self.bucket,
                "aws.s3.key": key,
            },
        ) as span:
            try:
                self.client.put_object(
                    self.bucket, key, io.BytesIO(body), len(body), content_type=CONTENT_TYPE
                )
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise MirrorUnavailable(f"upload of {key} failed: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise MirrorUnavailable(f"read of {key} failed: {exc}") from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise MirrorUnavailable(f"read of {key} failed: {exc}") from exc
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def keys_after(self, start_after: str) -> Iterator[str]:
        try:
            for item in self.client.list_objects(
                self.bucket, prefix=PREFIX, recursive=True, start_after=start_after
            ):
                if item.object_name is not None:
                    yield item.object_name
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise MirrorUnavailable(f"listing failed: {exc}") from exc

    def problem(self) -> str | None:
        try:
            config = self.client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            if exc.code == "NoSuchBucket":
                return f"bucket {self.bucket} does not exist"
            if exc.code == "ObjectLockConfigurationNotFoundError":
                return f"bucket {self.bucket} has no Object Lock"
            return f"bucket {self.bucket}: {exc.code}"
        except (MinioException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            return f"object store unreachable: {exc}"
        if config.mode != COMPLIANCE:
            return f"bucket {self.bucket} has no default COMPLIANCE retention"
        days = _retention_days(config)
        if days < self.retention_days:
            return (
                f"bucket {self.bucket} keeps objects {days} days; "
                f"STARSTATS_AUDIT_RETENTION_DAYS asks for {self.retention_days}"
            )
        return None

    def init_bucket(self, region: str) -> list[str]:
        """Create the bucket with Object Lock and set its default COMPLIANCE retention, as far
        as that is still needed; what was done, one line each. A bucket that exists without
        Object Lock cannot be fixed (S3 enables it only at creation): `MirrorUnavailable`."""
        done = []
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket, location=region, object_lock=True)
                done.append(f"created bucket {self.bucket} with Object Lock")
            try:
                config = self.client.get_object_lock_config(self.bucket)
            except S3Error as exc:
                if exc.code != "ObjectLockConfigurationNotFoundError":
                    raise
                raise MirrorUnavailable(
                    f"bucket {self.bucket} exists without Object Lock, which can only be "
                    "enabled when a bucket is created: use a new bucket name"
                ) from None
            # A longer default retention than ours is the operator's choice: left alone.
            if config.mode != COMPLIANCE or _retention_days(config) < self.retention_days:
                self.client.set_object_lock_config(
                    self.bucket, ObjectLockConfig(COMPLIANCE, self.retention_days, DAYS)
                )
                before = (
                    "none"
                    if config.mode is None
                    else f"{config.mode} {config.duration} {config.duration_unit}"
                )
                done.append(
                    f"default retention set to COMPLIANCE {self.retention_days} days (was {before})"
                )
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise MirrorUnavailable(f"bucket set-up failed: {exc}") from exc
        return done
