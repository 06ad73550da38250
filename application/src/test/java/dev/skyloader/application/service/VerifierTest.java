package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.InMemoryFileStore;
import dev.skyloader.application.fakes.Sha256Digest;
import dev.skyloader.application.port.out.FileStore.PartFile;
import dev.skyloader.domain.Sha256;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private static final String PART = "/data/model.bin.part";

    private final InMemoryFileStore files = new InMemoryFileStore();
    private final byte[] content = TransferTest.bytes(1000, 1);

    private Verifier verifier(byte[] onDisk, byte[] header) {
        files.put(PART, onDisk);
        PartFile file = files.openPart(PART);
        Verifier verifier = new Verifier(file, new Sha256Digest(), Part.Identity::new, header, 64);
        verifier.start();
        return verifier;
    }

    @Test
    void hashesTheHeaderThenThePartUpToItsEndAndNoFurther() throws Exception {
        byte[] header = {1, 2, 3};
        Verifier verifier = verifier(content, header);
        verifier.available(400);
        verifier.end(700);
        Verifier.Verified verified = assertTimeoutPreemptively(Duration.ofSeconds(10), verifier::await);

        byte[] served = new byte[703];
        System.arraycopy(header, 0, served, 0, 3);
        System.arraycopy(content, 0, served, 3, 700);
        assertEquals(new Sha256(Sha256Digest.hexOf(served)), verified.sha256());
        assertEquals(700, verified.plaintextLength());
        assertEquals(700, verifier.position());
    }

    @Test
    void aSmallerAvailableMarkNeverTakesBackALargerOne() throws Exception {
        Verifier verifier = verifier(content, new byte[0]);
        verifier.available(800);
        verifier.available(100);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (verifier.position() < 800) {
                Thread.onSpinWait();
            }
        });
        verifier.end(800);
        assertEquals(new Sha256(Sha256Digest.hexOf(Arrays.copyOf(content, 800))), verifier.await().sha256());
    }

    @Test
    void aPartFileShorterThanWhatWasWrittenIsAnError() {
        Verifier verifier = verifier(Arrays.copyOf(content, 50), new byte[0]);
        verifier.end(100);
        IOException e = assertThrows(IOException.class, verifier::await);
        assertEquals("the part file ended at byte 50 while 100 were written", e.getMessage());
    }

    @Test
    void aCancelledVerifierGivesNoVerdict() throws Exception {
        Verifier verifier = verifier(content, new byte[0]);
        verifier.available(100);
        verifier.cancel();
        IllegalStateException e = assertThrows(IllegalStateException.class, verifier::await);
        assertEquals("verifier was cancelled", e.getMessage());
    }
}
