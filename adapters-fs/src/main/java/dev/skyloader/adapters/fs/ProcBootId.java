package dev.skyloader.adapters.fs;

import dev.skyloader.application.port.out.BootId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Linux's boot id, read once: a random UUID the kernel makes at every boot. Empty elsewhere. */
final class ProcBootId implements BootId {
    static final Path LINUX = Path.of("/proc/sys/kernel/random/boot_id");

    private final Optional<String> id;

    ProcBootId(Path file) {
        this.id = read(file);
    }

    private static Optional<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> current() {
        return id;
    }
}
