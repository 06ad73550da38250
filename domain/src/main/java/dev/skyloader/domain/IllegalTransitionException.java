package dev.skyloader.domain;

/** A state change that the state machine does not allow: a programming error, never a silent no-op. */
public final class IllegalTransitionException extends IllegalStateException {
    private final DownloadState from;
    private final DownloadState to;

    public IllegalTransitionException(DownloadState from, DownloadState to) {
        super("illegal download state transition " + from.wireName() + " -> " + to.wireName());
        this.from = from;
        this.to = to;
    }

    public DownloadState from() {
        return from;
    }

    public DownloadState to() {
        return to;
    }
}
