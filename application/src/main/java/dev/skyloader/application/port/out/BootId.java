package dev.skyloader.application.port.out;

import java.util.Optional;

/**
 * Tells one boot of the machine from another (on Linux, {@code /proc/sys/kernel/random/boot_id}). A process that dies
 * leaves every byte it wrote in the page cache, where the next process of the same boot finds it; a power loss keeps
 * only what was synced. The same id at a restart means only the process died.
 */
public interface BootId {
    /** This boot's id; empty when the platform cannot tell, and then nothing but synced bytes is trusted. */
    Optional<String> current();
}
