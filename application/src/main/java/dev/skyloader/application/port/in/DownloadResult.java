package dev.skyloader.application.port.in;

import static java.util.Objects.requireNonNull;

/**
 * How a run ended.
 *
 * @param outcome what happened
 * @param status  the download as it now stands
 * @param message one line for the operator
 */
public record DownloadResult(Outcome outcome, DownloadStatus status, String message) {
    public enum Outcome {
        /** The artifact is verified, decrypted and in place. */
        COMPLETE,
        /** Verification, decryption or the source failed for good. */
        FAILED,
        /** Attempts ran out on transient errors; the state is kept and a later run resumes. */
        NOT_FINISHED
    }

    public DownloadResult {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(status, "status is null");
        requireNonNull(message, "message is null");
    }
}
