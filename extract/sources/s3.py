"""An S3 prefix as a source, with the MBTA's incoming / archive / error convention.

Objects are listed under the incoming prefix (sorted by key). Once the batch that recorded an object is
committed, the object is moved (copy, then delete) out of the incoming prefix, keeping its key relative
to it: to the archive prefix when it landed or duplicated landed bytes, to the error prefix when it was
rejected. A run killed between the commit and the move leaves the object in incoming; the next run finds
its bytes in the ledger, records nothing new, and moves it then.

Defaults: the archive and error prefixes are siblings of the incoming prefix's last segment, so
``s3://bucket/incoming`` moves to ``s3://bucket/archive`` and ``s3://bucket/error``, and
``s3://bucket/mbta/incoming`` to ``s3://bucket/mbta/archive`` and ``s3://bucket/mbta/error``.
Credentials come from the standard AWS chain (boto3); ``LAMP_S3_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL``)
points at an S3-compatible store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extract.lake import s3_endpoint_override
from extract.ledger import REJECTED
from extract.sources.base import InputFile
from extract.sources.local import is_ignored_name

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def split_s3_uri(uri: str) -> tuple[str, str]:
    """("bucket", "key/prefix") of ``s3://bucket/key/prefix`` (the prefix without slashes at its ends)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"an S3 URI needs a bucket: {uri!r}")
    return bucket, prefix.strip("/")


def sibling_prefix(uri: str, name: str) -> str:
    """``s3://b/x/incoming`` → ``s3://b/x/<name>``; ``s3://b`` → ``s3://b/<name>``."""
    bucket, prefix = split_s3_uri(uri)
    parent = prefix.rpartition("/")[0] if prefix else ""
    return f"s3://{bucket}/{parent + '/' if parent else ''}{name}"


def s3_client() -> S3Client:
    import boto3  # here, not at the top: boto3 takes ~0.5 s to import and most runs read local files

    client: S3Client = boto3.client("s3", endpoint_url=s3_endpoint_override())
    return client


class S3Source:
    """Objects under ``s3://bucket/prefix``; settled objects move to the archive or error prefix."""

    def __init__(
        self,
        uri: str,
        *,
        archive: str | None = None,
        error: str | None = None,
        client: S3Client | None = None,
    ) -> None:
        self.bucket, self.prefix = split_s3_uri(uri)
        self.description = f"s3://{self.bucket}/{self.prefix}"
        self.archive = archive or sibling_prefix(uri, "archive")
        self.error = error or sibling_prefix(uri, "error")
        self.client = client or s3_client()

    def list_inputs(self) -> list[InputFile]:
        listed_prefix = f"{self.prefix}/" if self.prefix else ""
        # Objects already moved must not come back as inputs when those prefixes sit inside this one.
        excluded = tuple(
            f"{prefix}/"
            for bucket, prefix in map(split_s3_uri, (self.archive, self.error))
            if bucket == self.bucket
        )
        inputs: list[InputFile] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=listed_prefix
        ):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                name = key.rpartition("/")[2]
                if not name or is_ignored_name(name) or (excluded and f"{key}".startswith(excluded)):
                    continue
                inputs.append(InputFile(f"s3://{self.bucket}/{key}", name, int(obj["Size"])))
        return sorted(inputs, key=lambda item: item.source)

    def read(self, item: InputFile) -> bytes:
        _, key = split_s3_uri(item.source)
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def settle(self, item: InputFile, outcome: str) -> None:
        _, key = split_s3_uri(item.source)
        relative = key[len(self.prefix) :].lstrip("/") if self.prefix else key
        target_bucket, target_prefix = split_s3_uri(self.error if outcome == REJECTED else self.archive)
        target_key = f"{target_prefix}/{relative}" if target_prefix else relative
        self.client.copy_object(
            Bucket=target_bucket, Key=target_key, CopySource={"Bucket": self.bucket, "Key": key}
        )
        self.client.delete_object(Bucket=self.bucket, Key=key)
