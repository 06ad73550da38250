package dev.skyloader.domain;

/**
 * What the part file of a download holds.
 */
public enum PartEncoding {
    /**
     * The served body, decrypted, at its final offsets: the nonce or IV lives in the state, the part file's byte
     * {@code i} is served byte {@code header + i} decrypted. For GCM the last 16 bytes are the tag, XORed with the
     * keystream that follows the body; for CBC the padding is still there. The output is this file, cut to the
     * plaintext's length. For {@code none} it is simply the served bytes.
     */
    PLAIN("plain"),
    /**
     * The served bytes as they were served, header included: what a release before the one-pass data path wrote,
     * and what a part verified under a wrong key is turned back into so that the right key needs no new fetch.
     */
    SERVED("served");

    private final String wireName;

    PartEncoding(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static PartEncoding fromWireName(String name) {
        for (PartEncoding encoding : values()) {
            if (encoding.wireName.equals(name)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown part encoding '" + name + "'");
    }
}
