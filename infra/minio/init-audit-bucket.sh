#!/bin/sh
# One-shot job (deploy/compose.yaml `minio-init`, in the MinIO image, which ships `mc`):
#  1. the audit bucket, created with Object Lock (it can only be enabled at creation);
#  2. its default retention: COMPLIANCE for STARSTATS_AUDIT_RETENTION_DAYS (2555 = 7 years),
#     which no one, root included, can shorten or remove;
#  3. the API's own MinIO user with a policy that can write and read audit objects and
#     nothing else (the API never gets the root credentials).
# Safe to run on every `up`: each step is idempotent. If the bucket exists WITHOUT Object Lock
# (created by hand), step 2 fails and so does the job, so the API never starts against a
# bucket that would let the audit trail be deleted.
set -eu

bucket=${STARSTATS_AUDIT_BUCKET:?}
days=${STARSTATS_AUDIT_RETENTION_DAYS:?}
secret() { tr -d '\n' <"/run/secrets/$1"; }

# Credentials go to mc through its MC_HOST_<alias> variable of this process only.
MC_HOST_starstats="http://$(secret minio_root_user):$(secret minio_root_password)@minio:9000"
export MC_HOST_starstats

mc mb --ignore-existing --with-lock "starstats/$bucket"
mc retention set --default COMPLIANCE "${days}d" "starstats/$bucket"

policy=$(mktemp)
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketObjectLockConfiguration"],
      "Resource": ["arn:aws:s3:::$bucket"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObjectRetention", "s3:PutObjectRetention"],
      "Resource": ["arn:aws:s3:::$bucket/*"]
    }
  ]
}
JSON
mc admin policy create starstats starstats-audit-writer "$policy"
rm -f "$policy"

access_key=$(secret audit_s3_access_key)
mc admin user add starstats "$access_key" "$(secret audit_s3_secret_key)"
# `attach` refuses a policy that is already attached; that is the state we want.
if ! mc admin policy attach starstats starstats-audit-writer --user "$access_key"; then
  mc admin user info starstats "$access_key" | grep -q starstats-audit-writer
fi
echo "audit bucket $bucket: Object Lock, COMPLIANCE ${days}d; user $access_key may write"
