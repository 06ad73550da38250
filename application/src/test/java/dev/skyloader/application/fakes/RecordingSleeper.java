package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Never sleeps: records each wait and moves the fake clock by it. A wait chosen with {@link #kickDuring(int)} ends
 * after a second, woken, as a {@code skyloader kick} would end it.
 */
public final class RecordingSleeper implements Sleeper {
    private final FakeClock clock;
    private final List<Duration> sleeps = new ArrayList<>();
    private final Set<Integer> kicked = new HashSet<>();
    private int wakeAlls;

    public RecordingSleeper(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized boolean sleep(Duration duration) {
        int index = sleeps.size() + 1;
        if (kicked.contains(index) && duration.compareTo(Duration.ofSeconds(1)) > 0) {
            sleeps.add(Duration.ofSeconds(1));
            clock.advance(Duration.ofSeconds(1));
            return true;
        }
        sleeps.add(duration);
        clock.advance(duration);
        return false;
    }

    /**
     * As threads waiting at once would: the clock moves to the deadline, not by the wait, so waits of several threads
     * towards one shared deadline overlap instead of adding up.
     */
    @Override
    public synchronized boolean sleepUntil(java.time.Clock ignored, java.time.Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
            return false;
        }
        sleeps.add(left);
        clock.advanceTo(deadline);
        return false;
    }

    @Override
    public synchronized void wakeAll() {
        wakeAlls++;
    }

    /** The {@code n}-th wait (from 1) is woken after a second. */
    public synchronized RecordingSleeper kickDuring(int n) {
        kicked.add(n);
        return this;
    }

    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public synchronized Duration total() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }

    public synchronized int wakeAlls() {
        return wakeAlls;
    }
}
