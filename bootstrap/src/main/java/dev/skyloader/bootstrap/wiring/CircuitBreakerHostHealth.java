package dev.skyloader.bootstrap.wiring;

import dev.skyloader.application.port.out.HostHealth;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Resilience4j circuit breaker per host: after {@code failures} failures in a row a host is skipped for
 * {@code skipFor} in favour of the other sources, then one request may try it again (half-open); success closes it.
 * Time comes from the injected clock.
 */
final class CircuitBreakerHostHealth implements HostHealth {
    private static final Throwable FAILURE = new Exception("host failed") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final Clock clock;
    private final int failures;
    private final Duration skipFor;
    /** Made at the first failure: until then every host is available, and a run that never fails never loads it. */
    private volatile CircuitBreakerRegistry registry;

    CircuitBreakerHostHealth(Clock clock, int failures, Duration skipFor) {
        this.clock = clock;
        this.failures = failures;
        this.skipFor = skipFor;
    }

    private CircuitBreakerRegistry registry() {
        CircuitBreakerRegistry made = registry;
        if (made == null) {
            synchronized (this) {
                made = registry;
                if (made == null) {
                    made = newRegistry();
                    registry = made;
                }
            }
        }
        return made;
    }

    private CircuitBreakerRegistry newRegistry() {
        return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failures)
                .minimumNumberOfCalls(failures)
                .failureRateThreshold(100)
                .waitDurationInOpenState(skipFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false)
                .build());
    }

    @Override
    public boolean available(String origin) {
        CircuitBreakerRegistry made = registry;
        if (made == null) {
            return true;
        }
        CircuitBreaker breaker = made.circuitBreaker(origin);
        // Asking moves an open breaker whose time is up to half-open; the permission itself is not needed here.
        if (breaker.tryAcquirePermission()) {
            breaker.releasePermission();
            return true;
        }
        return false;
    }

    @Override
    public void succeeded(String origin) {
        CircuitBreakerRegistry made = registry;
        if (made == null) {
            return;
        }
        made.circuitBreaker(origin).onSuccess(0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(String origin) {
        registry().circuitBreaker(origin).onError(0, TimeUnit.NANOSECONDS, FAILURE);
    }
}
