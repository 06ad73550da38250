package dev.skyloader.bootstrap.cli;

import dev.skyloader.application.port.in.DownloadResult.Outcome;

/** The exit codes of the command-line contract. */
final class ExitCode {
    static final int COMPLETE = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    /** EX_TEMPFAIL: not finished yet; the state is kept and a later run resumes. */
    static final int NOT_FINISHED = 75;

    private ExitCode() {
    }

    static int of(Outcome outcome) {
        return switch (outcome) {
            case COMPLETE -> COMPLETE;
            case FAILED -> FAILED;
            case NOT_FINISHED -> NOT_FINISHED;
        };
    }
}
