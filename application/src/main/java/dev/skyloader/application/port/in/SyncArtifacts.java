package dev.skyloader.application.port.in;

/** Brings every artifact of an update (a manifest) into place, each as {@link DownloadArtifact} would. */
public interface SyncArtifacts {
    SyncResult sync(SyncCommand command) throws InterruptedException;
}
