#!/usr/bin/env python3
"""Storage for the sample jobs (etl.py, train.py, drift.py): one small adapter per URI scheme, each with
list / get / put on full object URIs, plus the helpers every job shares (run ids, timestamps, Glue-style
arguments, JSON and CSV output).

Standard library only (Python 3.9+, as AWS Glue Python shell runs it; 3.11 in the images). Schemes:

    file:///dir/...                                   FileStore (tests, local runs; etag = MD5 of the content)
    s3://bucket/key                                   S3Store: Signature Version 4, AWS or MLOPS_S3_ENDPOINT (MinIO)
    gs://bucket/key                                   GcsStore: JSON API, GOOGLE_OAUTH_ACCESS_TOKEN or metadata server
    https://<account>.blob.core.windows.net/<c>/key   AzureBlobStore: Blob REST API, token or managed identity

Credentials come from the platform: AWS env keys, else the ECS task role endpoint, else EC2/Glue IMDSv2;
GCS: GOOGLE_OAUTH_ACCESS_TOKEN, else the metadata server; Azure: AZURE_STORAGE_ACCESS_TOKEN, else the
managed identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER, AZURE_CLIENT_ID for a user-assigned one),
else IMDS. The jobs never take secrets from their config.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import hmac
import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------------
# Storage: one small adapter per URI scheme, all with list / get / put on full object URIs
# ---------------------------------------------------------------------------------------------------


class StorageError(Exception):
    pass


@dataclass
class ObjectInfo:
    """An object as listed or read: its URI, size and whichever version marks the store has."""

    uri: str
    size: int = 0
    etag: str | None = None
    version_id: str | None = None  # S3 version id, Azure blob version id
    generation: str | None = None  # GCS generation

    @property
    def version(self) -> str:
        """What identifies this content of the object for idempotency: the generation (GCS) or etag."""
        return self.generation or self.etag or self.version_id or ""

    @property
    def key(self) -> str:
        """The object key (name) inside its bucket or container; the path for file:// URIs."""
        if self.uri.startswith("file://"):
            return self.uri[len("file://") :]
        rest = self.uri.split("://", 1)[1]
        parts = rest.split("/", 2 if self.uri.startswith("https://") else 1)
        return parts[-1] if len(parts) > (2 if self.uri.startswith("https://") else 1) else ""

    def record(self) -> dict:
        out = {"uri": self.uri, "key": self.key, "size": self.size}
        for key, value in (("versionId", self.version_id), ("generation", self.generation), ("etag", self.etag)):
            if value:
                out[key] = value
        return out


def http(method: str, url: str, headers: dict | None = None, body: bytes | None = None, timeout: float = 30.0):
    """One HTTP request with retries on throttling, 5xx and connection errors; returns (status, headers, body)."""
    last: Exception | None = None
    for attempt in range(4):
        if attempt:
            time.sleep(min(8.0, 0.5 * 2**attempt))
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:2000].decode("utf-8", "replace")
            last = StorageError(f"{method} {url.split('?')[0]}: HTTP {e.code} {detail}")
            if e.code not in (408, 429, 500, 502, 503, 504):
                raise last from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            last = StorageError(f"{method} {url.split('?')[0]}: {e}")
    raise last or StorageError(f"{method} {url}: failed")


def quote(value: str, safe: str = "") -> str:
    """RFC 3986 percent-encoding (unreserved characters kept), as SigV4 and the JSON/REST APIs expect."""
    return urllib.parse.quote(value, safe=safe + "-_.~")


class FileStore:
    """file:///dir/...: local directories (tests, local runs). The etag is the MD5 of the content, like S3's."""

    @staticmethod
    def _path(uri: str) -> str:
        return uri[len("file://") :]

    def list(self, prefix: str) -> list[ObjectInfo]:
        root = self._path(prefix)
        base = root if root.endswith("/") else os.path.dirname(root) + "/"
        found = []  # a missing directory lists nothing, like an empty prefix in a bucket
        for directory, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                if path.startswith(root) and not name.startswith(".tmp-"):
                    found.append(self._info(path))
        return found

    def _info(self, path: str, data: bytes | None = None) -> ObjectInfo:
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        return ObjectInfo(uri="file://" + path, size=len(data), etag=hashlib.md5(data).hexdigest())

    def get(self, obj: ObjectInfo) -> tuple[bytes, ObjectInfo]:
        path = self._path(obj.uri)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise StorageError(f"{obj.uri}: {e.strerror}") from None
        return data, self._info(path, data)

    def put(self, uri: str, data: bytes, content_type: str) -> ObjectInfo:
        path = self._path(uri)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = os.path.join(os.path.dirname(path), f".tmp-{os.getpid()}-{os.path.basename(path)}")
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError as e:
            raise StorageError(f"{uri}: {e.strerror}") from None
        return self._info(path, data)


# --- AWS S3 -----------------------------------------------------------------------------------------

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def sigv4_headers(
    method: str,
    host: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    payload_sha256: str,
    access_key: str,
    secret_key: str,
    region: str,
    amz_date: str,
    session_token: str | None = None,
    service: str = "s3",
) -> dict[str, str]:
    """AWS Signature Version 4 (header form): returns `headers` plus host, x-amz-date, x-amz-content-sha256,
    x-amz-security-token (with a session token) and Authorization. `path` is the URI-encoded path."""
    out = {**headers, "host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_sha256}
    if session_token:
        out["x-amz-security-token"] = session_token
    canonical = {k.lower(): " ".join(str(v).strip().split()) for k, v in out.items()}
    signed = ";".join(sorted(canonical))
    canonical_request = "\n".join(
        [
            method,
            path,
            canonical_query(query),
            "".join(f"{k}:{canonical[k]}\n" for k in sorted(canonical)),
            signed,
            payload_sha256,
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + secret_key).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out["Authorization"] = f"AWS4-HMAC-SHA256 Credential={access_key}/{scope},SignedHeaders={signed},Signature={signature}"
    return out


def canonical_query(query: dict[str, str]) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(query.items()))


def parse_s3_list(xml: bytes) -> tuple[list[dict], str | None]:
    """ListObjectsV2 response -> ([{key, size, etag}], next continuation token or None)."""
    root = ET.fromstring(xml)
    ns = S3_NS if root.tag.startswith(S3_NS) else ""
    items = [
        {
            "key": c.findtext(f"{ns}Key") or "",
            "size": int(c.findtext(f"{ns}Size") or 0),
            "etag": (c.findtext(f"{ns}ETag") or "").strip('"') or None,
        }
        for c in root.findall(f"{ns}Contents")
    ]
    truncated = (root.findtext(f"{ns}IsTruncated") or "false").lower() == "true"
    return items, (root.findtext(f"{ns}NextContinuationToken") if truncated else None)


class AwsCredentials:
    """Env keys, else the ECS container credentials endpoint, else IMDSv2; refreshed before they expire."""

    def __init__(self, env: dict[str, str]):
        self.env, self.value, self.expires = env, None, 0.0

    def get(self) -> tuple[str, str, str | None]:
        env = self.env
        if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
            return env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN") or None
        if self.value is None or time.time() > self.expires - 300:
            self.value, self.expires = self._fetch()
        return self.value

    def _fetch(self):
        env, headers = self.env, {}
        if env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
            url = "http://169.254.170.2" + env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]
        elif env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
            url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
            token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            if env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
                with open(env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) as f:
                    token = f.read().strip()
            if token:
                headers["Authorization"] = token
        else:
            imds = "http://169.254.169.254/latest"
            _, _, token = http("PUT", f"{imds}/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "21600"}, b"", 2)
            headers = {"X-aws-ec2-metadata-token": token.decode()}
            _, _, role = http("GET", f"{imds}/meta-data/iam/security-credentials/", headers, timeout=2)
            url = f"{imds}/meta-data/iam/security-credentials/{role.decode().split()[0]}"
        _, _, body = http("GET", url, headers, timeout=5)
        c = json.loads(body)
        expires = dt.datetime.fromisoformat(c["Expiration"].replace("Z", "+00:00")).timestamp() if c.get("Expiration") else 1e12
        return (c["AccessKeyId"], c["SecretAccessKey"], c.get("Token")), expires


class S3Store:
    """s3://bucket/key on AWS (virtual-hosted style) or on MLOPS_S3_ENDPOINT (path style, e.g. MinIO)."""

    def __init__(self, env: dict[str, str]):
        self.region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.endpoint = (env.get("MLOPS_S3_ENDPOINT") or "").rstrip("/")
        self.credentials = AwsCredentials(env)

    @staticmethod
    def split(uri: str) -> tuple[str, str]:
        bucket, _, key = uri[len("s3://") :].partition("/")
        return bucket, key

    def url(self, bucket: str, key: str, query: dict[str, str]) -> tuple[str, str, str]:
        """(url, host, canonical path) of an object (or of the bucket when key is empty)."""
        if self.endpoint:
            parsed = urllib.parse.urlsplit(self.endpoint)
            scheme, host, path = parsed.scheme, parsed.netloc, f"{parsed.path}/{bucket}" + (f"/{quote(key, '/')}" if key else "")
        else:
            scheme, host, path = "https", f"{bucket}.s3.{self.region}.amazonaws.com", "/" + quote(key, "/")
        q = canonical_query(query)
        return f"{scheme}://{host}{path}" + (f"?{q}" if q else ""), host, path

    def request(self, method: str, bucket: str, key: str, query: dict[str, str], body: bytes = b"", headers=None):
        url, host, path = self.url(bucket, key, query)
        access, secret, token = self.credentials.get()
        amz_date = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        signed = sigv4_headers(
            method, host, path, query, headers or {}, hashlib.sha256(body).hexdigest(), access, secret, self.region, amz_date, token
        )
        signed.pop("host")  # urllib sets Host itself, to the same value
        return http(method, url, signed, body if method in ("PUT", "POST") else None)

    def list(self, prefix: str) -> list[ObjectInfo]:
        bucket, key_prefix = self.split(prefix)
        found, token = [], None
        while True:
            query = {"list-type": "2", "prefix": key_prefix, **({"continuation-token": token} if token else {})}
            _, _, body = self.request("GET", bucket, "", query)
            items, token = parse_s3_list(body)
            found += [ObjectInfo(uri=f"s3://{bucket}/{i['key']}", size=i["size"], etag=i["etag"]) for i in items]
            if not token:
                return found

    def get(self, obj: ObjectInfo) -> tuple[bytes, ObjectInfo]:
        bucket, key = self.split(obj.uri)
        _, headers, body = self.request("GET", bucket, key, {"versionId": obj.version_id} if obj.version_id else {})
        return body, self._info(obj.uri, len(body), headers)

    def put(self, uri: str, data: bytes, content_type: str) -> ObjectInfo:
        bucket, key = self.split(uri)
        _, headers, _ = self.request("PUT", bucket, key, {}, data, {"content-type": content_type})
        return self._info(uri, len(data), headers)

    @staticmethod
    def _info(uri: str, size: int, headers: dict) -> ObjectInfo:
        version = headers.get("x-amz-version-id")
        return ObjectInfo(uri=uri, size=size, etag=(headers.get("etag") or "").strip('"') or None, version_id=None if version in (None, "null") else version)


# --- Google Cloud Storage ---------------------------------------------------------------------------


def parse_gcs_list(body: bytes) -> tuple[list[dict], str | None]:
    """objects.list JSON -> ([{name, size, generation, etag}], next page token or None)."""
    doc = json.loads(body)
    items = [
        {"name": o["name"], "size": int(o.get("size", 0)), "generation": str(o.get("generation", "")) or None, "etag": o.get("etag")}
        for o in doc.get("items", [])
    ]
    return items, doc.get("nextPageToken") or None


class GcsStore:
    """gs://bucket/name through the Cloud Storage JSON API; generations are the versions."""

    def __init__(self, env: dict[str, str]):
        self.env, self.token, self.expires = env, None, 0.0
        self.api = (env.get("MLOPS_GCS_ENDPOINT") or "https://storage.googleapis.com").rstrip("/")

    def headers(self) -> dict[str, str]:
        if self.env.get("GOOGLE_OAUTH_ACCESS_TOKEN"):
            return {"Authorization": "Bearer " + self.env["GOOGLE_OAUTH_ACCESS_TOKEN"]}
        if self.token is None or time.time() > self.expires - 300:
            host = self.env.get("GCE_METADATA_HOST") or "metadata.google.internal"
            url = f"http://{host}/computeMetadata/v1/instance/service-accounts/default/token"
            _, _, body = http("GET", url, {"Metadata-Flavor": "Google"}, timeout=5)
            doc = json.loads(body)
            self.token, self.expires = doc["access_token"], time.time() + float(doc.get("expires_in", 300))
        return {"Authorization": "Bearer " + self.token}

    @staticmethod
    def split(uri: str) -> tuple[str, str]:
        bucket, _, name = uri[len("gs://") :].partition("/")
        return bucket, name

    def list(self, prefix: str) -> list[ObjectInfo]:
        bucket, name_prefix = self.split(prefix)
        found, token = [], None
        while True:
            query = {"prefix": name_prefix, "fields": "items(name,size,generation,etag),nextPageToken"}
            if token:
                query["pageToken"] = token
            url = f"{self.api}/storage/v1/b/{quote(bucket)}/o?{canonical_query(query)}"
            _, _, body = http("GET", url, self.headers())
            items, token = parse_gcs_list(body)
            found += [ObjectInfo(f"gs://{bucket}/{i['name']}", i["size"], i["etag"], generation=i["generation"]) for i in items]
            if not token:
                return found

    def get(self, obj: ObjectInfo) -> tuple[bytes, ObjectInfo]:
        bucket, name = self.split(obj.uri)
        query = {"alt": "media", **({"generation": obj.generation} if obj.generation else {})}
        _, headers, body = http("GET", f"{self.api}/storage/v1/b/{quote(bucket)}/o/{quote(name)}?{canonical_query(query)}", self.headers())
        return body, ObjectInfo(obj.uri, len(body), headers.get("etag") or obj.etag, generation=headers.get("x-goog-generation") or obj.generation)

    def put(self, uri: str, data: bytes, content_type: str) -> ObjectInfo:
        bucket, name = self.split(uri)
        url = f"{self.api}/upload/storage/v1/b/{quote(bucket)}/o?{canonical_query({'uploadType': 'media', 'name': name})}"
        _, _, body = http("POST", url, {**self.headers(), "Content-Type": content_type}, data)
        doc = json.loads(body)
        return ObjectInfo(uri, len(data), doc.get("etag"), generation=str(doc.get("generation", "")) or None)


# --- Azure Blob Storage -----------------------------------------------------------------------------

AZURE_VERSION = "2023-11-03"
AZURE_BLOB = re.compile(r"^https://([a-z0-9]{3,24})\.blob\.core\.windows\.net/([^/]+)/?(.*)$")


def parse_azure_list(xml: bytes) -> tuple[list[dict], str | None]:
    """List Blobs response -> ([{name, size, etag, version_id}], next marker or None)."""
    root = ET.fromstring(xml)
    items = []
    for b in root.iter("Blob"):
        props = b.find("Properties")
        items.append(
            {
                "name": b.findtext("Name") or "",
                "size": int(props.findtext("Content-Length") or 0) if props is not None else 0,
                "etag": (props.findtext("Etag") or "").strip('"') or None if props is not None else None,
                "version_id": b.findtext("VersionId") or None,
            }
        )
    return items, root.findtext("NextMarker") or None


class AzureBlobStore:
    """https://<account>.blob.core.windows.net/<container>/<name> through the Blob REST API; etags are the versions."""

    def __init__(self, env: dict[str, str]):
        self.env, self.token, self.expires = env, None, 0.0

    def headers(self) -> dict[str, str]:
        if self.env.get("AZURE_STORAGE_ACCESS_TOKEN"):
            token = self.env["AZURE_STORAGE_ACCESS_TOKEN"]
        else:
            if self.token is None or time.time() > self.expires - 300:
                self.token, self.expires = self._fetch_token()
            token = self.token
        return {"Authorization": "Bearer " + token, "x-ms-version": AZURE_VERSION, "x-ms-date": email.utils.formatdate(usegmt=True)}

    def _fetch_token(self) -> tuple[str, float]:
        env, resource = self.env, "https://storage.azure.com/"
        client = {"client_id": env["AZURE_CLIENT_ID"]} if env.get("AZURE_CLIENT_ID") else {}
        if env.get("IDENTITY_ENDPOINT") and env.get("IDENTITY_HEADER"):
            query = {"resource": resource, "api-version": "2019-08-01", **client}
            url, headers = f"{env['IDENTITY_ENDPOINT']}?{canonical_query(query)}", {"X-IDENTITY-HEADER": env["IDENTITY_HEADER"]}
        else:
            query = {"resource": resource, "api-version": "2018-02-01", **client}
            url, headers = f"http://169.254.169.254/metadata/identity/oauth2/token?{canonical_query(query)}", {"Metadata": "true"}
        _, _, body = http("GET", url, headers, timeout=10)
        doc = json.loads(body)
        return doc["access_token"], float(doc.get("expires_on") or time.time() + 300)

    @staticmethod
    def split(uri: str) -> tuple[str, str, str]:
        m = AZURE_BLOB.match(uri)
        if not m:
            raise StorageError(f"{uri}: not https://<account>.blob.core.windows.net/<container>/<prefix>")
        return m.group(1), m.group(2), m.group(3)

    def list(self, prefix: str) -> list[ObjectInfo]:
        account, container, name_prefix = self.split(prefix)
        base = f"https://{account}.blob.core.windows.net/{container}"
        found, marker = [], None
        while True:
            query = {"restype": "container", "comp": "list", "prefix": name_prefix, **({"marker": marker} if marker else {})}
            _, _, body = http("GET", f"{base}?{canonical_query(query)}", self.headers())
            items, marker = parse_azure_list(body)
            found += [ObjectInfo(f"{base}/{i['name']}", i["size"], i["etag"], version_id=i["version_id"]) for i in items]
            if not marker:
                return found

    def get(self, obj: ObjectInfo) -> tuple[bytes, ObjectInfo]:
        account, container, name = self.split(obj.uri)
        url = f"https://{account}.blob.core.windows.net/{container}/{quote(name, '/')}"
        _, headers, body = http("GET", url, self.headers())
        return body, ObjectInfo(obj.uri, len(body), (headers.get("etag") or "").strip('"') or obj.etag, version_id=headers.get("x-ms-version-id"))

    def put(self, uri: str, data: bytes, content_type: str) -> ObjectInfo:
        account, container, name = self.split(uri)
        url = f"https://{account}.blob.core.windows.net/{container}/{quote(name, '/')}"
        headers = {**self.headers(), "x-ms-blob-type": "BlockBlob", "Content-Type": content_type}
        _, response, _ = http("PUT", url, headers, data)
        return ObjectInfo(uri, len(data), (response.get("etag") or "").strip('"') or None, version_id=response.get("x-ms-version-id"))


def store_for(uri: str, env: dict[str, str]):
    if uri.startswith("file://"):
        return FileStore()
    if uri.startswith("s3://"):
        return S3Store(env)
    if uri.startswith("gs://"):
        return GcsStore(env)
    if AZURE_BLOB.match(uri):
        return AzureBlobStore(env)
    raise StorageError(f"{uri}: unsupported URI; use file://, s3://, gs:// or https://<account>.blob.core.windows.net/<container>/")


# ---------------------------------------------------------------------------------------------------
# Helpers the jobs share
# ---------------------------------------------------------------------------------------------------

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timestamp_run_id(seed: str, now: dt.datetime | None = None) -> str:
    """UTC timestamp + the first 8 hex digits of the SHA-256 of `seed`: `20240301T030000Z-1a2b3c4d`."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{(now or dt.datetime.now(dt.timezone.utc)).strftime('%Y%m%dT%H%M%SZ')}-{digest[:8]}"


def to_csv(header: tuple[str, ...], rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def json_bytes(doc) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


def environment(argv: list[str], env: dict[str, str]) -> dict[str, str]:
    """The environment, with `--NAME value` / `--NAME=value` arguments (AWS Glue job parameters) on top."""
    merged, i = dict(env), 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
            merged[name] = value
        elif arg.startswith("--") and i + 1 < len(argv):
            merged[arg[2:]] = argv[i + 1]
            i += 1
        i += 1
    return merged


class JobBase:
    """What every sample job shares: its environment contract, its JSON-lines log and its run id."""

    default_name = "job"

    def __init__(self, env: dict[str, str], out=sys.stdout):
        self.env, self.out = env, out
        self.pipeline = env.get("MLOPS_PIPELINE") or self.default_name
        self.trigger = env.get("MLOPS_TRIGGER") or "manual"
        self.source = env.get("MLOPS_SOURCE_URI") or ""
        self.target = env.get("MLOPS_TARGET_URI") or ""
        self.run_id: str | None = None

    def log(self, step: str, **fields) -> None:
        line = {"time": utc_now(), "pipeline": self.pipeline, "runId": self.run_id, "step": step, **fields}
        print(json.dumps(line), file=self.out, flush=True)

    def locations_ok(self) -> bool:
        """Whether both URIs are set and end with `/`; logs the failure when not."""
        if self.source.endswith("/") and self.target.endswith("/"):
            return True
        self.log("failed", error="MLOPS_SOURCE_URI and MLOPS_TARGET_URI must be set and end with `/`", source=self.source, target=self.target)
        return False

    def check_run_id(self) -> None:
        """Fails (ValueError) when MLOPS_RUN_ID is set but not a valid id; the run then records it as failed."""
        explicit = self.env.get("MLOPS_RUN_ID")
        if explicit is not None and not RUN_ID.match(explicit):
            raise ValueError(f"MLOPS_RUN_ID {explicit!r} must be letters, digits, `.`, `_` or `-` (at most 128)")

    def new_run_id(self) -> str:
        """MLOPS_RUN_ID when it is a valid id, else a timestamp and a short hash (check_run_id reports a bad one)."""
        explicit = self.env.get("MLOPS_RUN_ID")
        return explicit if explicit and RUN_ID.match(explicit) else timestamp_run_id(self.source + utc_now())
