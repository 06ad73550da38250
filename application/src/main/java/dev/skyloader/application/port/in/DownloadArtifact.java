package dev.skyloader.application.port.in;

/** Fetches, verifies and decrypts one artifact, resuming whatever an earlier run left behind. */
public interface DownloadArtifact {
    DownloadResult download(DownloadCommand command) throws InterruptedException;
}
