package dev.skyloader.application.port.in;

import java.io.IOException;

/** The publisher's side: encrypts a file into an artifact format and tells what a manifest needs about it. */
public interface EncryptArtifact {
    /**
     * Writes the artifact at the command's output path, which shows nothing until the whole artifact is there.
     *
     * @throws IOException reading the plaintext or writing the artifact failed; no artifact was put in place
     */
    EncryptedArtifact encrypt(EncryptArtifactCommand command) throws IOException;
}
