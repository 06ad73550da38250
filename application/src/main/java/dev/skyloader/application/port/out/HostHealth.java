package dev.skyloader.application.port.out;

/**
 * Remembers which hosts keep failing, so that a download with mirrors skips a broken host for a while in favour of
 * the others, and tries it again later (a circuit breaker per host). Hosts are origins: {@code https://cdn.example}.
 */
public interface HostHealth {
    /** Never skips a host. */
    HostHealth ALWAYS_AVAILABLE = new HostHealth() {
        @Override
        public boolean available(String origin) {
            return true;
        }

        @Override
        public void succeeded(String origin) {
        }

        @Override
        public void failed(String origin) {
        }
    };

    /** False while the host is being skipped after repeated failures. */
    boolean available(String origin);

    /** The host answered a request. */
    void succeeded(String origin);

    /** The host could not be reached, or failed a request with a transient error. */
    void failed(String origin);
}
