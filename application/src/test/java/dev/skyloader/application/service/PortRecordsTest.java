package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.port.in.DownloadCommand;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The records and defaults of the ports: what they accept at their edges and what they refuse. */
class PortRecordsTest {
    private static final SourceUrl URL = new SourceUrl("https://cdn.example/model.bin?X-Amz-Signature=secret");
    private static final Sha256 SHA = new Sha256("ab".repeat(32));
    private static final AesKey KEY = AesKey.of(new byte[32]);

    private static DownloadCommand command(long size, CipherName cipher) {
        return DownloadCommand.of(URL, SHA, OptionalLong.of(size), cipher,
                cipher.needsKey() ? Optional.of(KEY) : Optional.empty(), "/data/model.bin");
    }

    @Test
    void anEmptyPlainArtifactIsAValidCommandOnlyWithTheSha256OfNothing() {
        DownloadCommand empty = DownloadCommand.of(URL, Sha256.EMPTY, OptionalLong.of(0), CipherName.NONE,
                Optional.empty(), "/data/model.bin");
        assertEquals(OptionalLong.of(0), empty.expectedSize());
        var e = assertThrows(IllegalArgumentException.class, () -> command(0, CipherName.NONE));
        assertTrue(e.getMessage().contains("not the SHA-256 of nothing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> command(-1, CipherName.NONE));
    }

    @Test
    void aCbcSizeMustBeAnIvAndWholeBlocks() {
        assertEquals(OptionalLong.of(48), command(48, CipherName.AES_256_CBC).expectedSize());
        var e = assertThrows(IllegalArgumentException.class, () -> command(40, CipherName.AES_256_CBC));
        assertTrue(e.getMessage().contains("whole 16-byte blocks"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> command(16, CipherName.AES_256_CBC), "no block at all");
    }

    @Test
    void aGcmArtifactMustHoldAtLeastItsNonceAndTag() {
        assertThrows(IllegalArgumentException.class, () -> command(27, CipherName.AES_256_GCM));
        assertEquals(OptionalLong.of(28), command(28, CipherName.AES_256_GCM).expectedSize());
    }

    @Test
    void aCommandPrintsWhereFromAndWhereToButNeverTheSignature() {
        String text = command(10, CipherName.NONE).toString();
        assertTrue(text.contains("https://cdn.example/model.bin"), text);
        assertTrue(text.contains("/data/model.bin"), text);
        assertTrue(text.contains("none"), text);
        assertFalse(text.contains("secret"), text);
    }

    @Test
    void transferSettingsAcceptTheSmallestLegalValues() {
        TransferSettings smallest = new TransferSettings(1, Duration.ofSeconds(1), 1, List.of(), 0, Duration.ZERO, 0);
        assertEquals(1, smallest.checkpointBytes());
        assertEquals(1, smallest.bufferSize());
        assertEquals(0, smallest.freeSpaceMargin());
        assertThrows(IllegalArgumentException.class,
                () -> new TransferSettings(0, Duration.ofSeconds(1), 1, List.of(), 0, Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TransferSettings(1, Duration.ofSeconds(1), 0, List.of(), 0, Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TransferSettings(1, Duration.ofSeconds(1), 1, List.of(), -1, Duration.ZERO, 0));
    }

    @Test
    void aNegativeProbeIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TransferSettings.DEFAULT
                .withProbeInterval(Duration.ofSeconds(-30)));
    }

    @Test
    void aBodyMayStartAtTheVeryEndOfTheObjectButNotBeyond() {
        RemoteBody atEnd = new RemoteBody(10, OptionalLong.of(10), Optional.empty(), InputStream.nullInputStream());
        assertEquals(10, atEnd.offset());
        assertThrows(IllegalArgumentException.class,
                () -> new RemoteBody(11, OptionalLong.of(10), Optional.empty(), InputStream.nullInputStream()));
    }

    @Test
    void closingABodyClosesItsStream() throws Exception {
        boolean[] closed = new boolean[1];
        InputStream stream = new ByteArrayInputStream(new byte[3]) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        new RemoteBody(0, OptionalLong.empty(), Optional.empty(), stream).close();
        assertTrue(closed[0]);
    }

    @Test
    void aChangedObjectIsReportedAsChanged() {
        SourceException e = SourceException.changed("etag moved");
        assertEquals(SourceException.Kind.CHANGED, e.kind());
        assertEquals("etag moved", e.getMessage());
    }

    @Test
    void aSourceThatCannotProbeSaysItDoesNotAnswer() {
        ArtifactSource source = (url, offset, validator) -> {
            throw SourceException.permanent("unused");
        };
        assertFalse(source.probe(URL));
    }

    @Test
    void anEmptyEncryptedArtifactIsValid() {
        assertEquals(0, new EncryptedArtifact(SHA, 0).size());
        assertThrows(IllegalArgumentException.class, () -> new EncryptedArtifact(SHA, -1));
    }

    @Test
    void anEncryptCommandPrintsItsCipherAndOutputButNotItsKey() {
        String text = new EncryptArtifactCommand(CipherName.AES_256_CTR, KEY, InputStream.nullInputStream(),
                "/out/model.enc").toString();
        assertTrue(text.contains("aes-256-ctr"), text);
        assertTrue(text.contains("/out/model.enc"), text);
        assertFalse(text.contains(KEY.toBase64()), text);
    }
}
