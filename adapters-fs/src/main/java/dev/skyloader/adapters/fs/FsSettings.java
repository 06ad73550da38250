package dev.skyloader.adapters.fs;

import java.nio.file.Path;
import static java.util.Objects.requireNonNull;

/**
 * Settings of the file adapters.
 *
 * @param stateDirectory where the JSON state documents live: a volume that outlives the container
 */
public record FsSettings(Path stateDirectory) {
    public FsSettings {
        requireNonNull(stateDirectory, "stateDirectory is null");
        stateDirectory = stateDirectory.toAbsolutePath().normalize();
    }
}
