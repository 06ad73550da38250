package dev.skyloader.application.port.out;

/** A message digest, fed incrementally while bytes arrive. */
public interface Digest {
    /** The algorithm's standard name, e.g. {@code SHA-256}. */
    String algorithm();

    Hasher newHasher();

    /** One running digest; not thread-safe. */
    interface Hasher {
        void update(byte[] bytes, int offset, int length);

        /** The digest of everything fed so far; the hasher must not be used afterwards. */
        byte[] finish();
    }
}
