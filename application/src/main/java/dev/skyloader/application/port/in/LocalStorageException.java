package dev.skyloader.application.port.in;

/** The local disk failed us (state directory or part file); the download is paused and resumable. */
public final class LocalStorageException extends RuntimeException {
    public LocalStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
