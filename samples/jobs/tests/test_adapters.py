"""Unit tests of the sample jobs' storage module (lakeio.py) and the ETL's pieces without network: the SigV4
signer against AWS's published examples, the list parsers of S3, GCS and Azure on fixture responses,
pagination, URLs and credentials through a fake `http`, and row validation.
Run: python3 -m unittest discover -s samples/jobs/tests
"""

import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import etl  # noqa: E402
import lakeio  # noqa: E402

# The credentials and values of the examples in the Amazon S3 API reference, "Signature Calculations for the
# Authorization Header: Transferring Payload in a Single Chunk (AWS Signature Version 4)".
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class FakeHttp:
    """Replaces lakeio.http: answers queued responses and records every request."""

    def __init__(self, *responses):
        self.responses, self.requests = list(responses), []

    def __call__(self, method, url, headers=None, body=None, timeout=30.0):
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "body": body})
        status, headers_out, body_out = self.responses.pop(0)
        return status, headers_out, body_out


class WithFakeHttp(unittest.TestCase):
    def fake(self, *responses):
        fake = FakeHttp(*responses)
        original = lakeio.http
        lakeio.http = fake
        self.addCleanup(setattr, lakeio, "http", original)
        return fake


class SigV4Test(unittest.TestCase):
    def test_get_object_example(self):
        # Example "GET Object": the first 10 bytes of test.txt in examplebucket, us-east-1, 20130524T000000Z.
        headers = lakeio.sigv4_headers(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/test.txt",
            {},
            {"Range": "bytes=0-9"},
            lakeio.EMPTY_SHA256,
            ACCESS_KEY,
            SECRET_KEY,
            "us-east-1",
            "20130524T000000Z",
        )
        self.assertEqual(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        )
        self.assertEqual(headers["x-amz-content-sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    def test_list_objects_example(self):
        # Example "GET Bucket (List Objects)": GET /?max-keys=2&prefix=J on examplebucket.
        headers = lakeio.sigv4_headers(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/",
            {"prefix": "J", "max-keys": "2"},
            {},
            lakeio.EMPTY_SHA256,
            ACCESS_KEY,
            SECRET_KEY,
            "us-east-1",
            "20130524T000000Z",
        )
        self.assertTrue(headers["Authorization"].endswith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))

    def test_session_token_is_signed(self):
        headers = lakeio.sigv4_headers("GET", "h", "/", {}, {}, lakeio.EMPTY_SHA256, ACCESS_KEY, SECRET_KEY, "eu-west-1", "20240101T000000Z", "TOKEN")
        self.assertEqual(headers["x-amz-security-token"], "TOKEN")
        self.assertIn("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", headers["Authorization"])
        self.assertIn("/20240101/eu-west-1/s3/aws4_request,", headers["Authorization"])


S3_PAGE_1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>lake-raw</Name><Prefix>iris/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>iris/iris-2024-01.csv</Key><LastModified>2024-01-31T03:00:00.000Z</LastModified>
    <ETag>&quot;6a63194dc9ae18905335144bde369c0c&quot;</ETag><Size>1883</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>iris/iris 2024-02.csv</Key><LastModified>2024-02-29T03:00:00.000Z</LastModified>
    <ETag>"21c5541d632b9eef87c85ae85bf1adec"</ETag><Size>2408</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>"""
S3_PAGE_2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>lake-raw</Name><Prefix>iris/</Prefix><KeyCount>1</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>false</IsTruncated>
  <Contents><Key>iris/bad-rows.csv</Key><ETag>"524432b345b80d4fef1f94f2bd7c0c50"</ETag><Size>271</Size></Contents>
</ListBucketResult>"""


class S3Test(WithFakeHttp):
    def test_parse_list(self):
        items, token = lakeio.parse_s3_list(S3_PAGE_1)
        self.assertEqual(
            items,
            [
                {"key": "iris/iris-2024-01.csv", "size": 1883, "etag": "6a63194dc9ae18905335144bde369c0c"},
                {"key": "iris/iris 2024-02.csv", "size": 2408, "etag": "21c5541d632b9eef87c85ae85bf1adec"},
            ],
        )
        self.assertEqual(token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        self.assertEqual(lakeio.parse_s3_list(S3_PAGE_2)[1], None)

    def test_list_follows_continuation_tokens_and_signs_each_request(self):
        env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_SESSION_TOKEN": "T", "AWS_REGION": "eu-west-1"}
        fake = self.fake((200, {}, S3_PAGE_1), (200, {}, S3_PAGE_2))
        objects = lakeio.S3Store(env).list("s3://lake-raw/iris/")
        self.assertEqual([o.uri for o in objects], ["s3://lake-raw/iris/iris-2024-01.csv", "s3://lake-raw/iris/iris 2024-02.csv", "s3://lake-raw/iris/bad-rows.csv"])
        self.assertEqual(fake.requests[0]["url"], "https://lake-raw.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=iris%2F")
        self.assertEqual(
            fake.requests[1]["url"],
            "https://lake-raw.s3.eu-west-1.amazonaws.com/?continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&list-type=2&prefix=iris%2F",
        )
        for request in fake.requests:
            self.assertTrue(request["headers"]["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
            self.assertEqual(request["headers"]["x-amz-security-token"], "T")
            self.assertNotIn("x-amz-server-side-encryption", request["headers"])

    def test_get_with_version_id_and_put_on_a_path_style_endpoint(self):
        env = {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": "minio123", "MLOPS_S3_ENDPOINT": "http://minio.mlops:9000"}
        fake = self.fake((200, {"x-amz-version-id": "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "etag": '"abc"'}, b"data"), (200, {"etag": '"def"', "x-amz-version-id": "null"}, b""))
        store = lakeio.S3Store(env)
        data, info = store.get(lakeio.ObjectInfo("s3://raw/iris/a b.csv", version_id="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"))
        self.assertEqual((data, info.version_id, info.etag), (b"data", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "abc"))
        self.assertEqual(fake.requests[0]["url"], "http://minio.mlops:9000/raw/iris/a%20b.csv?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY")
        self.assertIsNone(fake.requests[0]["body"])
        out = store.put("s3://curated/iris/_runs/r1.json", b"{}", "application/json")
        self.assertEqual((out.etag, out.version_id), ("def", None))
        put = fake.requests[1]
        self.assertEqual((put["method"], put["url"], put["body"]), ("PUT", "http://minio.mlops:9000/curated/iris/_runs/r1.json", b"{}"))
        self.assertEqual(put["headers"]["x-amz-content-sha256"], "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        self.assertIn("us-east-1/s3/aws4_request", put["headers"]["Authorization"])

    def test_ecs_task_role_credentials(self):
        creds = {"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "Token": "tok", "Expiration": "2099-01-01T00:00:00Z"}
        fake = self.fake((200, {}, json.dumps(creds).encode()))
        got = lakeio.AwsCredentials({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"}).get()
        self.assertEqual(got, ("ASIAX", "s", "tok"))
        self.assertEqual(fake.requests[0]["url"], "http://169.254.170.2/v2/credentials/abc")


GCS_PAGE_1 = json.dumps(
    {
        "kind": "storage#objects",
        "nextPageToken": "CgxpcmlzL2Iu",
        "items": [
            {"kind": "storage#object", "name": "iris/iris-2024-01.csv", "bucket": "lake-raw", "generation": "1706670000123456", "size": "1883", "etag": "CMDs4Yzs4oMDEAE="},
        ],
    }
).encode()
GCS_PAGE_2 = json.dumps({"kind": "storage#objects", "items": [{"name": "iris/iris-2024-02.csv", "generation": "1709175600654321", "size": "2408", "etag": "CLGg"}]}).encode()


class GcsTest(WithFakeHttp):
    def test_parse_list(self):
        items, token = lakeio.parse_gcs_list(GCS_PAGE_1)
        self.assertEqual(items, [{"name": "iris/iris-2024-01.csv", "size": 1883, "generation": "1706670000123456", "etag": "CMDs4Yzs4oMDEAE="}])
        self.assertEqual(token, "CgxpcmlzL2Iu")
        self.assertEqual(lakeio.parse_gcs_list(b'{"kind": "storage#objects"}'), ([], None))

    def test_list_pages_with_the_metadata_server_token(self):
        fake = self.fake((200, {}, b'{"access_token": "ya29.x", "expires_in": 3599, "token_type": "Bearer"}'), (200, {}, GCS_PAGE_1), (200, {}, GCS_PAGE_2))
        objects = lakeio.GcsStore({}).list("gs://lake-raw/iris/")
        self.assertEqual([(o.uri, o.generation, o.version) for o in objects], [
            ("gs://lake-raw/iris/iris-2024-01.csv", "1706670000123456", "1706670000123456"),
            ("gs://lake-raw/iris/iris-2024-02.csv", "1709175600654321", "1709175600654321"),
        ])
        token, page1, page2 = fake.requests
        self.assertEqual(token["url"], "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token")
        self.assertEqual(token["headers"], {"Metadata-Flavor": "Google"})
        self.assertEqual(page1["headers"]["Authorization"], "Bearer ya29.x")
        q1 = urllib.parse.parse_qs(urllib.parse.urlsplit(page1["url"]).query)
        self.assertEqual((q1["prefix"], "pageToken" in q1), (["iris/"], False))
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlsplit(page2["url"]).query)["pageToken"], ["CgxpcmlzL2Iu"])

    def test_media_download_by_generation_and_simple_upload(self):
        fake = self.fake((200, {"x-goog-generation": "17"}, b"csv"), (200, {}, b'{"name": "iris/_runs/r.json", "generation": "18", "etag": "e"}'))
        store = lakeio.GcsStore({"GOOGLE_OAUTH_ACCESS_TOKEN": "local"})
        data, info = store.get(lakeio.ObjectInfo("gs://lake-raw/iris/a.csv", generation="17"))
        self.assertEqual((data, info.generation), (b"csv", "17"))
        self.assertEqual(fake.requests[0]["url"], "https://storage.googleapis.com/storage/v1/b/lake-raw/o/iris%2Fa.csv?alt=media&generation=17")
        out = store.put("gs://lake-curated/iris/_runs/r.json", b"{}", "application/json")
        self.assertEqual(out.generation, "18")
        put = fake.requests[1]
        self.assertEqual(put["url"], "https://storage.googleapis.com/upload/storage/v1/b/lake-curated/o?name=iris%2F_runs%2Fr.json&uploadType=media")
        self.assertEqual((put["method"], put["headers"]["Authorization"], put["headers"]["Content-Type"]), ("POST", "Bearer local", "application/json"))


AZURE_PAGE_1 = b"""\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://mlopsdevlake.blob.core.windows.net/" ContainerName="raw">
  <Prefix>iris/</Prefix>
  <Blobs>
    <Blob><Name>iris/2024</Name><Properties><Content-Length>0</Content-Length><Etag>0x8DC0000000000A0</Etag></Properties></Blob>
    <Blob><Name>iris/iris-2024-01.csv</Name><VersionId>2024-01-31T03:00:00.1234567Z</VersionId><IsCurrentVersion>true</IsCurrentVersion>
      <Properties><Creation-Time>Wed, 31 Jan 2024 03:00:00 GMT</Creation-Time><Last-Modified>Wed, 31 Jan 2024 03:00:00 GMT</Last-Modified>
        <Etag>0x8DC2215F2B7A1C9</Etag><Content-Length>1883</Content-Length><Content-Type>text/csv</Content-Type><BlobType>BlockBlob</BlobType></Properties></Blob>
  </Blobs>
  <NextMarker>2!96!MDAwMDE2IWlyaXMvaXJpcy0yMDI0LTAyLmNzdiEwMDAwMjgh</NextMarker>
</EnumerationResults>"""
AZURE_PAGE_2 = b"""<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://mlopsdevlake.blob.core.windows.net/" ContainerName="raw">
  <Blobs><Blob><Name>iris/iris-2024-02.csv</Name><Properties><Etag>"0x8DC38B1A0F3E2D4"</Etag><Content-Length>2408</Content-Length></Properties></Blob></Blobs>
  <NextMarker />
</EnumerationResults>"""


class AzureTest(WithFakeHttp):
    def test_parse_list(self):
        items, marker = lakeio.parse_azure_list(AZURE_PAGE_1)
        self.assertEqual(
            items,
            [
                {"name": "iris/2024", "size": 0, "etag": "0x8DC0000000000A0", "version_id": None},
                {"name": "iris/iris-2024-01.csv", "size": 1883, "etag": "0x8DC2215F2B7A1C9", "version_id": "2024-01-31T03:00:00.1234567Z"},
            ],
        )
        self.assertEqual(marker, "2!96!MDAwMDE2IWlyaXMvaXJpcy0yMDI0LTAyLmNzdiEwMDAwMjgh")
        self.assertEqual(lakeio.parse_azure_list(AZURE_PAGE_2), ([{"name": "iris/iris-2024-02.csv", "size": 2408, "etag": "0x8DC38B1A0F3E2D4", "version_id": None}], None))

    def test_list_pages_with_the_container_apps_identity(self):
        env = {"IDENTITY_ENDPOINT": "http://localhost:42356/msi/token", "IDENTITY_HEADER": "secret-header", "AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555"}
        token = b'{"access_token": "eyJ0", "expires_on": "4102444800", "resource": "https://storage.azure.com/", "token_type": "Bearer"}'
        fake = self.fake((200, {}, token), (200, {}, AZURE_PAGE_1), (200, {}, AZURE_PAGE_2))
        objects = lakeio.AzureBlobStore(env).list("https://mlopsdevlake.blob.core.windows.net/raw/iris/")
        self.assertEqual([o.uri for o in objects], [
            "https://mlopsdevlake.blob.core.windows.net/raw/iris/2024",
            "https://mlopsdevlake.blob.core.windows.net/raw/iris/iris-2024-01.csv",
            "https://mlopsdevlake.blob.core.windows.net/raw/iris/iris-2024-02.csv",
        ])
        self.assertEqual(objects[1].version, "0x8DC2215F2B7A1C9")
        token_request, page1, page2 = fake.requests
        self.assertEqual(token_request["headers"], {"X-IDENTITY-HEADER": "secret-header"})
        self.assertEqual(
            urllib.parse.parse_qs(urllib.parse.urlsplit(token_request["url"]).query),
            {"resource": ["https://storage.azure.com/"], "api-version": ["2019-08-01"], "client_id": [env["AZURE_CLIENT_ID"]]},
        )
        self.assertEqual(page1["url"], "https://mlopsdevlake.blob.core.windows.net/raw?comp=list&prefix=iris%2F&restype=container")
        self.assertIn("marker=2%2196%21MDAwMDE2IWlyaXMvaXJpcy0yMDI0LTAyLmNzdiEwMDAwMjgh", page2["url"])
        for request in (page1, page2):
            self.assertEqual((request["headers"]["Authorization"], request["headers"]["x-ms-version"]), ("Bearer eyJ0", "2023-11-03"))
            self.assertTrue(request["headers"]["x-ms-date"].endswith(" GMT"))

    def test_put_block_blob(self):
        fake = self.fake((201, {"etag": '"0x8DC1"'}, b""))
        out = lakeio.AzureBlobStore({"AZURE_STORAGE_ACCESS_TOKEN": "t"}).put("https://acct1.blob.core.windows.net/curated/iris/v=r/part-00000.csv", b"x", "text/csv")
        self.assertEqual(out.etag, "0x8DC1")
        put = fake.requests[0]
        self.assertEqual((put["method"], put["url"]), ("PUT", "https://acct1.blob.core.windows.net/curated/iris/v%3Dr/part-00000.csv"))
        self.assertEqual((put["headers"]["x-ms-blob-type"], put["headers"]["Content-Type"]), ("BlockBlob", "text/csv"))


class ValidationTest(unittest.TestCase):
    def test_rows(self):
        self.assertEqual(etl.validate_row(["5.1", "3.5", "1.4", "0.2", "Iris-setosa"]), (["5.1", "3.5", "1.4", "0.2", "setosa"], None))
        self.assertEqual(etl.validate_row(["7", " 3.2 ", "4.7", "1.4", "versicolor"]), (["7.0", "3.2", "4.7", "1.4", "versicolor"], None))
        self.assertEqual(etl.validate_row(["0", "nan", "", "10.5", "rose"])[1], "; ".join([
            "sepal_length: 0 is outside (0, 10] cm",
            "sepal_width: nan is outside (0, 10] cm",
            "petal_length: missing",
            "petal_width: 10.5 is outside (0, 10] cm",
            "species: 'rose' is not one of setosa, versicolor, virginica (optionally Iris-<name>)",
        ]))
        self.assertEqual(etl.validate_row(["1", "2"]), (None, "expected 5 fields, got 2"))

    def test_files_rejected_whole(self):
        self.assertEqual(etl.validate_file(b"").rejected_whole, "empty file: no header and no rows")
        self.assertEqual(etl.validate_file(b"\n  \n").rejected_whole, "empty file: no header and no rows")
        self.assertTrue(etl.validate_file(b"\xff\xfe").rejected_whole.startswith("not UTF-8 text"))
        wrong = etl.validate_file(b"a,b\n1,2\n")
        self.assertEqual((wrong.rejected_whole, wrong.rows_read, len(wrong.rejected)), ("wrong header: expected sepal_length,sepal_width,petal_length,petal_width,species, got a,b", 1, 2))

    def test_bom_crlf_and_blank_lines(self):
        result = etl.validate_file(b"\xef\xbb\xbfsepal_length,sepal_width,petal_length,petal_width,species\r\n5.1,3.5,1.4,0.2,setosa\r\n\r\n")
        self.assertEqual((result.rejected_whole, result.accepted, result.rows_read), (None, [["5.1", "3.5", "1.4", "0.2", "setosa"]], 1))

    def test_glue_style_arguments(self):
        env = lakeio.environment(["--MLOPS_SOURCE_URI", "s3://a/", "--MLOPS_TRIGGER=arrival", "--job-bookmark-option", "job-bookmark-disable"], {"MLOPS_PIPELINE": "p"})
        self.assertEqual((env["MLOPS_SOURCE_URI"], env["MLOPS_TRIGGER"], env["MLOPS_PIPELINE"]), ("s3://a/", "arrival", "p"))

    def test_inputs_and_run_ids(self):
        self.assertTrue(etl.is_input("s3://b/raw/iris/2024/a.CSV", "s3://b/raw/iris/", "s3://b/curated/"))
        self.assertFalse(etl.is_input("s3://b/raw/iris/_tmp/a.csv", "s3://b/raw/iris/", "s3://b/curated/"))
        self.assertFalse(etl.is_input("s3://b/raw/iris/a.json", "s3://b/raw/iris/", "s3://b/curated/"))
        import datetime as dt

        now = dt.datetime(2024, 3, 1, 3, 0, 0, tzinfo=dt.timezone.utc)
        a = lakeio.ObjectInfo("s3://b/raw/a.csv", etag="1")
        self.assertRegex(etl.make_run_id([a], now), r"^20240301T030000Z-[0-9a-f]{8}$")
        self.assertNotEqual(etl.make_run_id([a], now), etl.make_run_id([lakeio.ObjectInfo("s3://b/raw/a.csv", etag="2")], now))


if __name__ == "__main__":
    unittest.main()
