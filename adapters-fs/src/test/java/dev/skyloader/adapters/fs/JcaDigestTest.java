package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.contract.AbstractDigestTest;
import dev.skyloader.application.port.out.Digest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract for SHA-256, the digest skyloader wires; the others it offers keep it too. */
class JcaDigestTest extends AbstractDigestTest {
    @Override
    protected Digest createDigest() {
        return new JcaDigest("SHA-256");
    }

    @Test
    void unknownAlgorithmsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JcaDigest("SHA-3"));
    }

    @Nested
    class Sha512 extends AbstractDigestTest {
        @Override
        protected Digest createDigest() {
            return new JcaDigest("SHA-512");
        }
    }

    @Nested
    class Sha1 extends AbstractDigestTest {
        @Override
        protected Digest createDigest() {
            return new JcaDigest("SHA-1");
        }
    }

    @Nested
    class Md5 extends AbstractDigestTest {
        @Override
        protected Digest createDigest() {
            return new JcaDigest("MD5");
        }
    }
}
