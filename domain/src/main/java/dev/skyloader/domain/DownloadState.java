package dev.skyloader.domain;

import java.util.Locale;

/**
 * The states of one download, as the product specification names them.
 *
 * <p>Every legal transition is listed in {@link #canMoveTo(DownloadState)}; {@link Download} refuses any other one
 * with an {@link IllegalTransitionException}. A process that dies leaves the stored state as it was (for example
 * {@code DOWNLOADING}); on the next start such an interrupted state moves to {@link #PAUSED} and resumes from there.
 */
public enum DownloadState {
    PENDING,
    DOWNLOADING,
    PAUSED,
    VERIFYING,
    DECRYPTING,
    COMPLETE,
    FAILED;

    /** Whether {@code this -> next} is a legal transition. */
    public boolean canMoveTo(DownloadState next) {
        return switch (this) {
            case PENDING -> next == DOWNLOADING || next == FAILED;
            // PAUSED: a failed attempt waiting out its backoff, or a process that died mid-transfer.
            case DOWNLOADING -> next == PAUSED || next == VERIFYING || next == FAILED;
            case PAUSED -> next == DOWNLOADING || next == FAILED;
            // DOWNLOADING again: the SHA-256 did not match, the part file is gone and the transfer starts at byte 0.
            case VERIFYING -> next == DECRYPTING || next == DOWNLOADING || next == PAUSED || next == FAILED;
            case DECRYPTING -> next == COMPLETE || next == PAUSED || next == FAILED;
            case COMPLETE -> false;
            // PENDING: the operator asked for the same artifact again.
            case FAILED -> next == PENDING;
        };
    }

    /** True for the states a running process passes through; found on disk they mean the process died. */
    public boolean isInFlight() {
        return this == DOWNLOADING || this == VERIFYING || this == DECRYPTING;
    }

    /** The name used in the state file and on the command line: {@code downloading}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DownloadState fromWireName(String name) {
        for (DownloadState state : values()) {
            if (state.wireName().equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown download state: " + name);
    }
}
