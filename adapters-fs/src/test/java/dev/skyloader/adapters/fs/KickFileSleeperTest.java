package dev.skyloader.adapters.fs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KickFileSleeperTest {
    @TempDir
    Path dir;

    @Test
    void aKickFromAnotherSleeperOfTheSameDirectoryEndsAWait() throws Exception {
        KickFileSleeper waiting = new KickFileSleeper(dir, Duration.ofMillis(10));
        KickFileSleeper kicker = new KickFileSleeper(dir, Duration.ofMillis(10));
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return waiting.sleep(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The waiter must have read the file's state before the kick; a first kick makes the file exist.
        kicker.wakeAll();
        Thread.sleep(50);
        kicker.wakeAll();
        assertTrue(woken.get(30, TimeUnit.SECONDS), "woken by the kick, long before ten minutes");
    }

    @Test
    void withoutAKickTheWaitRunsOut() throws Exception {
        KickFileSleeper sleeper = new KickFileSleeper(dir, Duration.ofMillis(10));
        assertFalse(sleeper.sleep(Duration.ofMillis(30)));
    }
}
