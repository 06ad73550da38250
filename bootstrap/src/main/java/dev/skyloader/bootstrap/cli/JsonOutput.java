package dev.skyloader.bootstrap.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.application.port.in.DownloadStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON that {@code --json} prints: snake_case, like the state file. */
final class JsonOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonOutput() {
    }

    static Map<String, Object> status(DownloadStatus s) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", s.id());
        map.put("url", s.url());
        map.put("output_path", s.outputPath());
        map.put("state", s.stopped() ? "stopped" : s.state());
        if (s.running().isPresent()) {
            map.put("running", s.running().get());
        }
        if (s.stopped()) {
            // What the state file says: the process that was doing that is gone.
            map.put("recorded_state", s.state());
        }
        map.put("bytes_downloaded", s.bytesDownloaded());
        if (s.bytesReused().isPresent()) {
            map.put("bytes_fetched", s.bytesFetched().getAsLong());
            map.put("bytes_reused", s.bytesReused().getAsLong());
        }
        map.put("expected_size", s.expectedSize().isPresent() ? s.expectedSize().getAsLong() : null);
        map.put("expected_sha256", s.sha256());
        map.put("cipher", s.cipher());
        map.put("attempts", s.attempts());
        map.put("restarts", s.restarts());
        map.put("next_attempt_at", s.nextAttemptAt().map(Instant::toString).orElse(null));
        map.put("last_error", s.lastError().orElse(null));
        map.put("updated_at", s.updatedAt().toString());
        return map;
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
