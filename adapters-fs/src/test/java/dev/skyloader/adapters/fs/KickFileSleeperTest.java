package dev.skyloader.adapters.fs;

import dev.skyloader.application.contract.AbstractSleeperTest;
import dev.skyloader.application.port.out.Sleeper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

class KickFileSleeperTest extends AbstractSleeperTest {
    @TempDir
    Path dir;

    /** A short poll interval: a wake-up is noticed within it, and the tests wait for nothing longer. */
    @Override
    protected Sleeper createSleeper() {
        return new KickFileSleeper(dir, Duration.ofMillis(10));
    }
}
