#!/usr/bin/env python3
"""The sample ETL job of the data pipelines: raw Iris CSV drops -> a validated, versioned curated dataset.

Standard library only (Python 3.11+). Every runner of components/data-pipeline starts it as
`python /app/etl.py` with this environment (the contract in components/data-pipeline/contract.ts):

    MLOPS_SOURCE_URI    where the raw drops are: s3://bucket/prefix/, gs://bucket/prefix/,
                        https://<account>.blob.core.windows.net/<container>/prefix/ or file:///dir/
    MLOPS_TARGET_URI    where it writes (same forms), only under this prefix:
                          <target>v=<run id>/part-00000.csv     accepted rows, a new dataset version
                          <target>v=<run id>/_manifest.json     its manifest (written after the data)
                          <target>_quarantine/<run id>/<input>  rejected rows with the reason
                          <target>_runs/<run id>.json           the audit record (written last)
    MLOPS_PIPELINE      pipeline name (default `etl`)      MLOPS_TRIGGER   schedule | arrival (default manual)
    MLOPS_RUN_ID        run id (default: UTC timestamp + short hash of the inputs)
    MLOPS_IMAGE_DIGEST  image digest, recorded in the audit record when set
    MLOPS_S3_ENDPOINT   S3-compatible endpoint (MinIO), path-style addressing
Each variable may also be given as a `--NAME value` argument (how AWS Glue passes job parameters).

Credentials come from the platform: AWS env keys, else the ECS task role endpoint, else EC2/Glue IMDSv2;
GCS: GOOGLE_OAUTH_ACCESS_TOKEN, else the metadata server; Azure: AZURE_STORAGE_ACCESS_TOKEN, else the
managed identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER, AZURE_CLIENT_ID for a user-assigned one),
else IMDS. Exit status: 0 succeeded or skipped, 1 failed (its audit record says why), 2 bad environment.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import hmac
import io
import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------------
# The dataset: schema and row validation
# ---------------------------------------------------------------------------------------------------

MEASUREMENTS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
HEADER = (*MEASUREMENTS, "species")
SPECIES = ("setosa", "versicolor", "virginica")
RANGE_CM = (0.0, 10.0)  # plausible for every measurement: 0 < x <= 10 cm
SCHEMA = [
    *({"name": m, "type": "double", "unit": "cm", "min_exclusive": RANGE_CM[0], "max": RANGE_CM[1]} for m in MEASUREMENTS),
    {"name": "species", "type": "string", "enum": list(SPECIES)},
]
QUARANTINE_HEADER = ("line", "reason", "record")


def validate_row(fields: list[str]) -> tuple[list[str] | None, str | None]:
    """Returns (normalised row, None) for a valid row, else (None, every reason joined with `; `)."""
    if len(fields) != len(HEADER):
        return None, f"expected {len(HEADER)} fields, got {len(fields)}"
    reasons, row = [], []
    for name, raw in zip(MEASUREMENTS, fields):
        text = raw.strip()
        if not text:
            reasons.append(f"{name}: missing")
            continue
        try:
            value = float(text)
        except ValueError:
            reasons.append(f"{name}: {text!r} is not a number")
            continue
        if not math.isfinite(value) or not RANGE_CM[0] < value <= RANGE_CM[1]:
            reasons.append(f"{name}: {text} is outside (0, 10] cm")
            continue
        row.append(repr(value))
    species = fields[4].strip()
    name = species[5:] if species.lower().startswith("iris-") else species
    if name.lower() not in SPECIES:
        reasons.append(f"species: {species!r} is not one of {', '.join(SPECIES)} (optionally Iris-<name>)")
    else:
        row.append(name.lower())
    return (None, "; ".join(reasons)) if reasons else (row, None)


@dataclass
class FileResult:
    """One input file after validation."""

    accepted: list[list[str]] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, raw record)
    rows_read: int = 0
    rejected_whole: str | None = None  # why the whole file was rejected (empty, wrong header, not UTF-8)


def validate_file(data: bytes) -> FileResult:
    """Validates one CSV drop. An empty file or a wrong header rejects the whole file; else row by row."""
    result = FileResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        result.rejected_whole = f"not UTF-8 text ({e.reason} at byte {e.start})"
        result.rejected.append((0, result.rejected_whole, ""))
        return result
    lines = text.splitlines()
    records = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not records:
        result.rejected_whole = "empty file: no header and no rows"
        result.rejected.append((0, result.rejected_whole, ""))
        return result
    (header_line, header_text), rows = records[0], records[1:]
    header = [h.strip() for h in next(csv.reader([header_text]))]
    result.rows_read = len(rows)
    if tuple(header) != HEADER:
        result.rejected_whole = f"wrong header: expected {','.join(HEADER)}, got {','.join(header)}"
        result.rejected.append((header_line, result.rejected_whole, header_text))
        result.rejected.extend((n, "file rejected: wrong header", line) for n, line in rows)
        return result
    for n, line in rows:
        row, reason = validate_row(next(csv.reader([line])))
        if row is None:
            result.rejected.append((n, reason or "invalid", line))
        else:
            result.accepted.append(row)
    return result


def to_csv(header: tuple[str, ...], rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


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
# The run
# ---------------------------------------------------------------------------------------------------

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_run_id(inputs: list[ObjectInfo], now: dt.datetime | None = None) -> str:
    """UTC timestamp + the first 8 hex digits of the SHA-256 of the inputs' URIs and versions."""
    digest = hashlib.sha256("".join(f"{i.uri}\n{i.version}\n" for i in sorted(inputs, key=lambda i: i.uri)).encode()).hexdigest()
    return f"{(now or dt.datetime.now(dt.timezone.utc)).strftime('%Y%m%dT%H%M%SZ')}-{digest[:8]}"


def is_input(uri: str, source: str, target: str) -> bool:
    """CSV drops under the source prefix; hidden (`.`), marker (`_`) files and the target prefix excluded."""
    if uri.startswith(target) or not uri.lower().endswith(".csv"):
        return False
    return not any(part.startswith((".", "_")) for part in uri[len(source) :].split("/"))


class Job:
    def __init__(self, env: dict[str, str], out=sys.stdout):
        self.env, self.out = env, out
        self.pipeline = env.get("MLOPS_PIPELINE") or "etl"
        self.trigger = env.get("MLOPS_TRIGGER") or "manual"
        self.source = env.get("MLOPS_SOURCE_URI") or ""
        self.target = env.get("MLOPS_TARGET_URI") or ""
        self.run_id: str | None = None

    def log(self, step: str, **fields) -> None:
        line = {"time": utc_now(), "pipeline": self.pipeline, "runId": self.run_id, "step": step, **fields}
        print(json.dumps(line, sort_keys=False), file=self.out, flush=True)

    def previous_runs(self, target_store) -> tuple[set[tuple[str, str]], set[str]]:
        """(uri, version) of every input of an earlier succeeded run, and every finished run id."""
        processed, finished = set(), set()
        for obj in target_store.list(self.target + "_runs/"):
            if not obj.uri.endswith(".json"):
                continue
            data, _ = target_store.get(obj)
            try:
                record = json.loads(data)
            except ValueError:
                self.log("ignore-run-record", uri=obj.uri, reason="not JSON")
                continue
            if record.get("status") in ("succeeded", "skipped"):
                finished.add(str(record.get("runId")))
            if record.get("status") == "succeeded":
                processed.update((i.get("uri"), i.get("version")) for i in record.get("inputs", []))
        return processed, finished

    def run(self) -> int:
        started = utc_now()
        audit = {"pipeline": self.pipeline, "runId": None, "trigger": self.trigger, "status": "failed"}
        audit.update({"source": self.source, "target": self.target, "imageDigest": self.env.get("MLOPS_IMAGE_DIGEST") or None})
        audit.update({"startedAt": started, "endedAt": None, "inputs": [], "skippedInputs": [], "outputs": [], "counts": {}})
        if not self.target.endswith("/") or not self.source.endswith("/"):
            self.log("failed", error="MLOPS_SOURCE_URI and MLOPS_TARGET_URI must be set and end with `/`", source=self.source, target=self.target)
            return 2
        try:
            target_store = store_for(self.target, self.env)
        except StorageError as e:
            self.log("failed", error=str(e))
            return 2
        try:
            return self._run(audit, target_store)
        except Exception as e:  # every failure is recorded, then the run exits non-zero
            audit["error"] = f"{type(e).__name__}: {e}"
            audit["status"], audit["endedAt"] = "failed", utc_now()
            self.run_id = audit["runId"] = self._failure_id(target_store, audit["runId"])
            self.log("failed", error=audit["error"])
            try:
                self._write_audit(target_store, audit)
            except Exception as e2:
                self.log("audit-write-failed", error=f"{type(e2).__name__}: {e2}")
            return 1

    def _run(self, audit: dict, target_store) -> int:
        self.log("start", source=self.source, target=self.target, trigger=self.trigger)
        explicit = self.env.get("MLOPS_RUN_ID")
        if explicit is not None and not RUN_ID.match(explicit):
            raise ValueError(f"MLOPS_RUN_ID {explicit!r} must be letters, digits, `.`, `_` or `-` (at most 128), starting with a letter or digit")
        source_store = store_for(self.source, self.env)
        listed = [o for o in source_store.list(self.source) if is_input(o.uri, self.source, self.target)]
        self.log("list-source", objects=len(listed))
        processed, finished = self.previous_runs(target_store)
        fresh = [o for o in listed if (o.uri, o.version) not in processed]
        skipped = [o for o in listed if (o.uri, o.version) in processed]
        for o in skipped:
            self.log("skip-input", uri=o.uri, version=o.version, reason="processed by an earlier succeeded run")
        audit["skippedInputs"] = [{**o.record(), "version": o.version} for o in skipped]
        self.run_id = audit["runId"] = explicit or make_run_id(fresh)
        if self.run_id in finished:
            raise ValueError(f"run id {self.run_id!r} belongs to a finished run; its version is never overwritten")
        counts = {"inputs": len(fresh), "skippedInputs": len(skipped), "rowsRead": 0, "rowsAccepted": 0, "rowsRejected": 0, "filesRejected": 0}
        audit["counts"] = counts
        if not fresh:
            audit["status"], audit["endedAt"] = "skipped", utc_now()
            self._write_audit(target_store, audit)
            self.log("done", status="skipped", reason="no new inputs")
            return 0

        accepted: list[list[str]] = []
        for obj in fresh:
            data, read = source_store.get(obj)
            info = {**obj.record(), **read.record(), "uri": obj.uri, "version": obj.version, "sha256": hashlib.sha256(data).hexdigest()}
            result = validate_file(data)
            rejected_rows = result.rows_read if result.rejected_whole else len(result.rejected)
            info["rows"] = {"read": result.rows_read, "accepted": len(result.accepted), "rejected": rejected_rows}
            if result.rejected_whole:
                info["rejected"] = result.rejected_whole
                counts["filesRejected"] += 1
            audit["inputs"].append(info)
            counts["rowsRead"] += result.rows_read
            counts["rowsAccepted"] += len(result.accepted)
            counts["rowsRejected"] += rejected_rows
            self.log("validate-input", uri=obj.uri, version=obj.version, rejectedWhole=result.rejected_whole, **info["rows"])
            accepted += result.accepted
            if result.rejected:
                name = obj.uri[len(self.source) :]
                uri = f"{self.target}_quarantine/{self.run_id}/{name if name.lower().endswith('.csv') else name + '.csv'}"
                self._put(target_store, audit, "quarantine", uri, to_csv(QUARANTINE_HEADER, result.rejected), "text/csv", rows=len(result.rejected))

        if accepted:
            version = f"{self.target}v={self.run_id}/"
            part = to_csv(HEADER, accepted)
            part_out = self._put(target_store, audit, "data", version + "part-00000.csv", part, "text/csv", rows=len(accepted))
            manifest = {
                "dataset": self.target,
                "version": f"v={self.run_id}",
                "runId": self.run_id,
                "pipeline": self.pipeline,
                "createdAt": utc_now(),
                "format": {"type": "csv", "header": True, "delimiter": ",", "encoding": "utf-8"},
                "schema": SCHEMA,
                "files": [{"path": "part-00000.csv", "rows": len(accepted), "size": len(part), "sha256": part_out["sha256"]}],
                "rows": {"read": counts["rowsRead"], "accepted": counts["rowsAccepted"], "rejected": counts["rowsRejected"]},
                "inputs": audit["inputs"],
            }
            body = (json.dumps(manifest, indent=2) + "\n").encode()
            self._put(target_store, audit, "manifest", version + "_manifest.json", body, "application/json")
        else:
            self.log("no-version", reason="no accepted rows")
        audit["status"], audit["endedAt"] = "succeeded", utc_now()
        self._write_audit(target_store, audit)
        self.log("done", status="succeeded", **counts)
        return 0

    def _failure_id(self, store, run_id: str | None) -> str:
        """The run id a failed run records under: its own (or MLOPS_RUN_ID), unless a finished run holds it."""
        explicit = self.env.get("MLOPS_RUN_ID")
        run_id = run_id or (explicit if explicit and RUN_ID.match(explicit) else None) or make_run_id([])
        try:
            data, _ = store.get(ObjectInfo(f"{self.target}_runs/{run_id}.json"))
            finished = json.loads(data).get("status") in ("succeeded", "skipped")
        except Exception:
            finished = False  # no record yet (or unreadable): the failure takes this id
        return f"{run_id}-{make_run_id([])}" if finished else run_id

    def _put(self, store, audit: dict, kind: str, uri: str, data: bytes, content_type: str, **extra) -> dict:
        written = store.put(uri, data, content_type)
        out = {"kind": kind, **written.record(), "sha256": hashlib.sha256(data).hexdigest(), **extra}
        audit["outputs"].append(out)
        self.log(f"write-{kind}", uri=uri, size=len(data), **extra)
        return out

    def _write_audit(self, store, audit: dict) -> None:
        uri = f"{self.target}_runs/{audit['runId']}.json"
        store.put(uri, (json.dumps(audit, indent=2) + "\n").encode(), "application/json")
        self.log("write-audit", uri=uri, status=audit["status"])


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


def main(argv: list[str] | None = None) -> int:
    return Job(environment(sys.argv[1:] if argv is None else argv, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
