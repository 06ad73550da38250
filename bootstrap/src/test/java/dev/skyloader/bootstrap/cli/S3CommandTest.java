package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.adapters.s3.FaultyTcpProxy;
import dev.skyloader.adapters.s3.TestS3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** {@code get s3://…} end to end against an S3 endpoint in this JVM (S3Proxy, SigV4), credentials the AWS way. */
class S3CommandTest {
    private static final String BUCKET = "models";
    private static TestS3Server s3;
    private static S3Client uploads;

    @TempDir
    Path dir;
    private FaultyTcpProxy proxy;

    @BeforeAll
    static void startS3() throws Exception {
        // The SDK's default chains read these system properties first (and the environment variables of the same
        // meaning, which a child JVM gets below).
        TestS3Server.installCredentials();
        s3 = TestS3Server.start();
        s3.createBucket(BUCKET);
        uploads = s3.client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        uploads.close();
        s3.close();
        TestS3Server.clearCredentials();
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FaultyTcpProxy(s3.port());
    }

    @AfterEach
    void stopProxy() throws IOException {
        proxy.close();
    }

    @Test
    void downloadsAndDecryptsAnS3ObjectThroughACutConnection() throws Exception {
        byte[] plain = GetCommandTest.bytes(3_000_000, 31);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(31));
        put("detector.onnx.enc", artifact);
        proxy.cutAfter(artifact.length * 2L / 5);
        CliRunner.Result result = get("detector.onnx.enc", GetCommandTest.sha256(artifact), "--cipher", "aes-256-gcm",
                "--key-file", dir.resolve("key").toString(), "--reconnect", "none");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model")));
    }

    @Test
    void sixteenConnectionsOfAnEncryptedObjectOfKnownSizeAllAskAtOnceAndEndByteExact() throws Exception {
        // More connections than a small client pool would hold, every one asking before the nonce is here: none
        // may wait for a pooled connection while the others hold theirs.
        byte[] plain = GetCommandTest.bytes(3_000_000, 33);
        byte[] artifact = GetCommandTest.encrypt(dir, plain, "aes-256-gcm", GetCommandTest.base64Key(33));
        put("sixteen.enc", artifact);
        CliRunner.Result result = get("sixteen.enc", GetCommandTest.sha256(artifact), "--cipher", "aes-256-gcm",
                "--key-file", dir.resolve("key").toString(), "--size", Integer.toString(artifact.length),
                "--connections", "16", "--piece-size", "64k", "--reconnect", "none", "--progress", "json");
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model")));
        String said = result.out() + result.err();
        assertFalse(said.contains("connection from pool"), "a connection waited for the client's pool: " + said);
    }

    @Test
    void anObjectReplacedBetweenRunsIsFetchedAfreshNeverSpliced() throws Exception {
        byte[] first = GetCommandTest.bytes(2_000_000, 41);
        byte[] second = GetCommandTest.bytes(2_000_000, 42);
        String wanted = GetCommandTest.sha256(second);
        put("model.bin", first);
        proxy.cutAndGoDownAfter(800_000);
        CliRunner.Result partial = get("model.bin", wanted, "--max-attempts", "1", "--reconnect", "none");
        assertEquals(75, partial.exitCode(), partial.err());
        JsonNode before = new ObjectMapper().readTree(new CliRunner().run("status", "--json", "--state-dir",
                dir.resolve("state").toString()).out()).get(0);
        assertTrue(before.get("bytes_downloaded").asLong() > 0, "part of the first version is on disk");
        put("model.bin", second);
        proxy.close();
        proxy = new FaultyTcpProxy(s3.port());
        CliRunner.Result full = get("model.bin", wanted);
        assertEquals(0, full.exitCode(), full.err());
        assertArrayEquals(second, Files.readAllBytes(dir.resolve("out/model")));
        JsonNode status = new ObjectMapper().readTree(new CliRunner().run("status", "--json", "--state-dir",
                dir.resolve("state").toString()).out()).get(0);
        assertEquals(0, status.get("restarts").asInt(), "no SHA-256 mismatch: the two versions were never spliced");
    }

    @Test
    void aPresignedUrlDownloadsThroughTheHttpSourceAndItsSignatureIsNotKept() throws Exception {
        byte[] plain = GetCommandTest.bytes(1_500_000, 51);
        put("presigned.bin", plain);
        String url;
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(s3.endpoint())
                .region(Region.of(TestS3Server.REGION))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(TestS3Server.ACCESS_KEY, TestS3Server.SECRET_KEY)))
                .build()) {
            url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(10))
                    .getObjectRequest(r -> r.bucket(BUCKET).key("presigned.bin"))).url().toString();
        }
        assertTrue(url.startsWith("http://") && url.contains("X-Amz-Signature="), url);
        CliRunner.Result result = new CliRunner().run("get", url, "--sha256", GetCommandTest.sha256(plain), "-o",
                dir.resolve("out/model").toString(), "--state-dir", dir.resolve("state").toString());
        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model")));
        String signature = url.substring(url.indexOf("X-Amz-Signature=") + 16).split("&")[0];
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            for (Path file : files.toList()) {
                assertFalse(Files.readString(file).contains(signature), "signature in " + file);
            }
        }
        assertFalse(result.err().contains(signature));
    }

    @Test
    void syncBringsEveryS3ArtifactOfAManifestThroughACutAndARerunFetchesNothing() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var manifest = json.createObjectNode();
        var entries = manifest.putArray("artifacts");
        List<byte[]> plains = new ArrayList<>();
        String[] ciphers = {"aes-256-gcm", "none", "aes-256-ctr"};
        for (int i = 0; i < ciphers.length; i++) {
            byte[] plain = GetCommandTest.bytes(1_000_000 + i, 70 + i);
            plains.add(plain);
            String key = GetCommandTest.base64Key(80 + i);
            byte[] served = "none".equals(ciphers[i]) ? plain : GetCommandTest.encrypt(dir, plain, ciphers[i], key);
            put("sync/a" + i, served);
            var entry = entries.addObject().put("name", "a" + i).put("url", "s3://" + BUCKET + "/sync/a" + i)
                    .put("sha256", GetCommandTest.sha256(served)).put("size", served.length).put("priority", i);
            if (!"none".equals(ciphers[i])) {
                entry.putObject("encryption").put("cipher", ciphers[i]).put("key", key);
            }
        }
        entries.add(((com.fasterxml.jackson.databind.node.ObjectNode) entries.get(1)).deepCopy().put("name", "a1-again"));
        Path file = Files.writeString(dir.resolve("update.json"), json.writeValueAsString(manifest));
        proxy.cutAfter(400_000);
        List<String> args = List.of("sync", file.toString(), "--out", dir.resolve("out").toString(), "--state-dir",
                dir.resolve("state").toString(), "--s3-endpoint", "http://127.0.0.1:" + proxy.port(),
                "--s3-path-style", "--reconnect", "1ms,1ms,1ms", "--quiet");
        CliRunner.Result result = new CliRunner().run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        for (int i = 0; i < ciphers.length; i++) {
            assertArrayEquals(plains.get(i), Files.readAllBytes(dir.resolve("out/a" + i)), "a" + i);
        }
        assertArrayEquals(plains.get(1), Files.readAllBytes(dir.resolve("out/a1-again")));

        long before = proxy.bytesToClient();
        CliRunner.Result again = new CliRunner().run(args.toArray(String[]::new));
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(before, proxy.bytesToClient(), "the rerun fetches nothing");
    }

    @Test
    void aMissingKeyFailsWithExitOne() {
        CliRunner.Result result = get("no-such-model", "ab".repeat(32));
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("NoSuchKey"), result.err());
    }

    @Test
    void aMultipartObjectKilledMidDownloadWithSigkillResumesByteExact() throws Exception {
        byte[] artifact = GetCommandTest.bytes(16 << 20, 61);
        String etag = putMultipart("big.bin", artifact, 5 << 20);
        assertTrue(etag.matches("\"[0-9a-f]+-4\""), "uploaded in 4 parts by another client: " + etag);
        proxy.chunkDelay(Duration.ofMillis(3));
        Path state = dir.resolve("state");
        List<String> command = ChildJvm.command("get",
                "s3://" + BUCKET + "/big.bin", "--sha256", GetCommandTest.sha256(artifact), "-o",
                dir.resolve("out/model").toString(), "--state-dir", state.toString(), "--s3-endpoint",
                "http://127.0.0.1:" + proxy.port(), "--s3-path-style", "--reconnect", "none", "--quiet");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile());
        builder.environment().put("AWS_ACCESS_KEY_ID", TestS3Server.ACCESS_KEY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", TestS3Server.SECRET_KEY);
        builder.environment().put("AWS_REGION", TestS3Server.REGION);
        Process child = builder.start();
        CrashTest.awaitPartAtLeast(dir.resolve("out/model"), 4L << 20, child);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        long written = Files.size(dir.resolve("out/model.part"));
        assertTrue(written > 0 && written < artifact.length, "killed mid-transfer at " + written);
        assertTrue(new ObjectMapper().readTree(stateFile(state).toFile()).get("validator").asText().endsWith("-4\""),
                "the multipart ETag is recorded before the body counts");

        proxy.chunkDelay(Duration.ZERO);
        Process again = builder.redirectOutput(dir.resolve("child-again.log").toFile()).start();
        assertTrue(again.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue(), Files.readString(dir.resolve("child-again.log")));
        assertArrayEquals(artifact, Files.readAllBytes(dir.resolve("out/model")));
    }

    private static Path stateFile(Path state) throws IOException {
        try (Stream<Path> files = Files.list(state)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).findFirst().orElse(null);
        }
    }

    /** Uploads in parts of {@code partSize}, as large publishers do; returns the ETag, of the {@code "…-N"} form. */
    private static String putMultipart(String key, byte[] content, int partSize) {
        String uploadId = uploads.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        for (int offset = 0, number = 1; offset < content.length; offset += partSize, number++) {
            int partNumber = number;
            byte[] part = java.util.Arrays.copyOfRange(content, offset, Math.min(content.length, offset + partSize));
            String partEtag = uploads.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
                    .partNumber(partNumber), RequestBody.fromBytes(part)).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(partEtag).build());
        }
        return uploads.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())).eTag();
    }

    @Test
    void aDeltaUpdateFromS3UsesRangedGetObjectOnlyAndFetchesOnlyWhatChanged() throws Exception {
        byte[] old = GetCommandTest.bytes(3 << 20, 51);
        byte[] plain = DeltaCommandTest.newVersion(old);
        Files.writeString(dir.resolve("key"), GetCommandTest.base64Key(52));
        Path artifact = DeltaCommandTest.encryptWithIndex(dir, plain, "aes-256-ctr", "model.ctr");
        byte[] served = Files.readAllBytes(artifact);
        byte[] index = Files.readAllBytes(Path.of(artifact + ".zsync"));
        put("delta/model.ctr", served);
        put("delta/model.ctr.zsync", index);
        Files.createDirectories(dir.resolve("out"));
        Files.write(dir.resolve("out/model"), old);

        CliRunner.Result result = get("delta/model.ctr", GetCommandTest.sha256(served), "--cipher", "aes-256-ctr",
                "--key-file", dir.resolve("key").toString(), "--delta-index", "auto", "--reconnect", "none");

        assertEquals(0, result.exitCode(), result.err());
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out/model")));
        // Bodies and the HTTP heads of about twenty requests: far below the 3 MiB of the whole.
        long relayed = proxy.bytesToClient();
        assertTrue(relayed <= index.length + 30_000 + 10 * 2048 + 64 * 1024, relayed + " bytes relayed");
    }

    private static void put(String key, byte[] content) {
        uploads.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
    }

    private CliRunner.Result get(String key, String sha256, String... extra) {
        List<String> args = new ArrayList<>(List.of("get", "s3://" + BUCKET + "/" + key, "--sha256", sha256, "-o",
                dir.resolve("out/model").toString(), "--state-dir", dir.resolve("state").toString(), "--s3-endpoint",
                "http://127.0.0.1:" + proxy.port(), "--s3-path-style", "--quiet"));
        args.addAll(List.of(extra));
        return new CliRunner().run(args.toArray(String[]::new));
    }
}
