package dev.skyloader.adapters.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes a rename or a new file durable: the directory entry, not only the data, must reach the disk. */
final class Fsync {
    private Fsync() {
    }

    static void directory(Path directory) throws IOException {
        Uninterruptible.call(() -> {
            syncOnce(directory);
            return null;
        });
    }

    private static void syncOnce(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems (and non-Linux systems) refuse to open or sync a directory; the rename itself is
            // still atomic there, only its durability across power loss is up to the file system.
            if (!isUnsupported(e)) {
                throw e;
            }
        }
    }

    private static boolean isUnsupported(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Is a directory") || message.contains("Invalid argument")
                || message.contains("Operation not supported") || message.contains("Access is denied");
    }
}
