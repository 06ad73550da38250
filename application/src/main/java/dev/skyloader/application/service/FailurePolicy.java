package dev.skyloader.application.service;

import dev.skyloader.application.port.out.SourceException;
import java.util.List;
import static java.util.Objects.requireNonNull;

/**
 * What to do about a connection that failed: a pure function of the failure and where the run stands, so that every
 * branch can be tested alone and read in one place.
 */
final class FailurePolicy {
    private FailurePolicy() {
    }

    /**
     * Where the run stands when a connection failed.
     *
     * @param kind              what the source said
     * @param message           the failure, without secrets
     * @param progressed        the failed connection delivered bytes before it failed
     * @param sources           the URL and its mirrors
     * @param deadReasons       why each source given up on in this run was given up on
     * @param failuresThisRound sources that failed in a row without moving a byte since the last wait
     * @param changedInARow     restarts from byte 0 because the object changed, without a wait in between
     * @param bytesKept         served bytes already here
     * @param validatorKnown    the bytes here belong to a version the source named (so the URL worked before)
     */
    record Situation(SourceException.Kind kind, String message, boolean progressed, int sources,
                     List<String> deadReasons, int failuresThisRound, int changedInARow, long bytesKept,
                     boolean validatorKnown) {
        Situation {
            requireNonNull(kind, "kind is null");
            requireNonNull(message, "message is null");
            deadReasons = List.copyOf(deadReasons);
        }

        int liveSources() {
            return sources - deadReasons.size();
        }
    }

    /** The answer. */
    sealed interface Decision {
    }

    /** Try the next source now; {@code giveUp}: never come back to this one in this run. */
    record SwitchSource(String reason, boolean giveUp) implements Decision {
    }

    /** Wait (quick tier or schedule) and try again. */
    record Retry() implements Decision {
    }

    /** The object changed: drop every byte and start from byte 0, at once or ({@code thenWait}) after a wait. */
    record Restart(String reason, boolean thenWait) implements Decision {
    }

    /** Stop for good. */
    record Fail(String message) implements Decision {
    }

    /** Stop, keeping every byte, until someone acts (a fresh URL, new credentials). */
    record Pause(String message) implements Decision {
    }

    static Decision decide(Situation s) {
        SourceException.Kind kind = s.kind();
        if ((kind == SourceException.Kind.PERMANENT || kind == SourceException.Kind.DENIED)
                && s.deadReasons().size() + 1 < s.sources()) {
            return new SwitchSource(s.message() + "; giving up on this source", true);
        }
        if (kind == SourceException.Kind.TRANSIENT && !s.progressed()
                && s.failuresThisRound() + 1 < s.liveSources()) {
            return new SwitchSource(s.message(), false);
        }
        return switch (kind) {
            case PERMANENT -> new Fail(s.deadReasons().isEmpty() ? s.message()
                    : "every source failed: " + String.join("; ", s.deadReasons()) + "; " + s.message());
            case DENIED -> s.bytesKept() == 0 && !s.validatorKnown() ? new Fail(s.message())
                    // The URL worked before: it (or the credentials) expired. Keep every byte for a fresh URL.
                    : new Pause(s.message() + "; " + s.bytesKept() + " bytes kept: run again with a fresh URL for"
                    + " the same SHA-256 to continue from there");
            // A source that keeps changing under us is a transient fault, not a reason to spin.
            case CHANGED -> new Restart(s.message() + ": starting again from byte 0", s.changedInARow() + 1 > 2);
            case TRANSIENT -> new Retry();
        };
    }
}
