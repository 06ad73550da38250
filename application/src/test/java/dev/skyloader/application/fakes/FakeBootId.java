package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.BootId;
import java.util.Optional;

/** A boot id that changes when a test says the machine lost power. */
public final class FakeBootId implements BootId {
    private int boot = 1;

    /** The machine went down and came back: a new id. */
    public synchronized void reboot() {
        boot++;
    }

    @Override
    public synchronized Optional<String> current() {
        return Optional.of("boot-" + boot);
    }
}
