package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Never sleeps: records each wait and moves the fake clock by it. */
public final class RecordingSleeper implements Sleeper {
    private final FakeClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    public RecordingSleeper(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
    }

    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    /** Only the waits of the long schedule (a minute or more), leaving out the quick reconnects. */
    public synchronized List<Duration> longSleeps() {
        return sleeps.stream().filter(d -> d.compareTo(Duration.ofMinutes(1)) >= 0).toList();
    }
}
