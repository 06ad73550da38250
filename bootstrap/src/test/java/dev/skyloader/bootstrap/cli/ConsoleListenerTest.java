package dev.skyloader.bootstrap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.bootstrap.cli.ConsoleListener.Mode;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Every mode of {@code --progress} on a virtual clock: what a person or a log collector would read. */
class ConsoleListenerTest {
    private static final DownloadId ID = new DownloadId("d");
    private static final long MIB = 1 << 20;
    private static final OptionalLong TOTAL = OptionalLong.of(100 * MIB);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final FakeClock clock = new FakeClock();
    private long nanos;

    private ConsoleListener listener(Mode mode, Duration interval) {
        return new ConsoleListener(err, mode, "model.onnx", 4, interval, clock, () -> nanos);
    }

    private void advance(Duration d) {
        nanos += d.toNanos();
        clock.advance(d);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonIsOneObjectPerLineWithIntegerFieldsAndBytesThatNeverGoDown() throws Exception {
        ConsoleListener json = listener(Mode.JSON, Duration.ofSeconds(1));
        json.start(TOTAL);
        for (int tenth = 0; tenth <= 50; tenth++) {
            json.progress(ID, DownloadState.DOWNLOADING, tenth * MIB / 5, TOTAL); // 2 MiB/s
            advance(Duration.ofMillis(100));
        }
        json.waiting(ID, Duration.ofMillis(252_400), "https://cdn.example/m: connection refused");
        json.notice(ID, "connection lost at byte 10485760; resuming at byte 10485760");
        json.progress(ID, DownloadState.VERIFYING, 100 * MIB, TOTAL);
        json.progress(ID, DownloadState.DECRYPTING, 100 * MIB, TOTAL);
        json.progress(ID, DownloadState.COMPLETE, 100 * MIB, TOTAL);
        json.finish("complete", "complete: /data/model.onnx", 100 * MIB - 28);

        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : text().split("\n")) {
            events.add(mapper.readTree(line));
        }
        List<String> kinds = events.stream().map(e -> e.get("event").asText()).toList();
        assertEquals("start", kinds.get(0));
        assertEquals(List.of("wait", "retry", "verify", "decrypt", "done"), kinds.subList(kinds.size() - 5,
                kinds.size()));
        List<JsonNode> progress = events.stream().filter(e -> e.get("event").asText().equals("progress")).toList();
        assertTrue(progress.size() >= 5 && progress.size() <= 6, "at most one a second over 5 s: " + progress);
        long last = -1;
        for (JsonNode event : progress) {
            assertTrue(event.get("bytes").isIntegralNumber() && event.get("total").isIntegralNumber());
            assertTrue(event.get("bytes").asLong() >= last, "never down: " + progress);
            last = event.get("bytes").asLong();
            assertEquals("model.onnx", event.get("name").asText());
            assertEquals(4, event.get("connections").asInt());
            assertTrue(event.get("ts").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), event.toString());
        }
        JsonNode lastProgress = progress.get(progress.size() - 1);
        assertEquals(2 * MIB, lastProgress.get("rate").asLong(), 64 * 1024, lastProgress.toString());
        assertEquals((100 * MIB - lastProgress.get("bytes").asLong()) / (2 * MIB), lastProgress.get("eta_s").asLong(),
                2, lastProgress.toString());
        JsonNode wait = events.get(kinds.indexOf("wait"));
        assertEquals(253, wait.get("delay_s").asLong());
        assertEquals("https://cdn.example/m: connection refused", wait.get("message").asText());
        JsonNode done = events.get(events.size() - 1);
        assertEquals(100 * MIB - 28, done.get("bytes").asLong());
        assertEquals("complete", done.get("outcome").asText());
    }

    @Test
    void plainIsATimestampedLineEveryIntervalAndAtEveryChangeWithTheCurrentRate() {
        ConsoleListener plain = listener(Mode.PLAIN, Duration.ofSeconds(30));
        plain.start(TOTAL);
        long at = 0;
        for (int second = 0; second <= 40; second++) {
            plain.progress(ID, DownloadState.DOWNLOADING, at, TOTAL);
            at += MIB; // 1 MiB/s
            advance(Duration.ofSeconds(1));
        }
        plain.waiting(ID, Duration.ofSeconds(15), "connection refused");
        advance(Duration.ofSeconds(15));
        for (int second = 0; second <= 31; second++) {
            plain.progress(ID, DownloadState.DOWNLOADING, at, TOTAL);
            at += 2 * MIB; // back at 2 MiB/s
            advance(Duration.ofSeconds(1));
        }
        plain.progress(ID, DownloadState.VERIFYING, at, TOTAL);
        List<String> lines = text().lines().toList();
        assertTrue(lines.stream().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ skyloader: .*")),
                String.join("\n", lines));
        assertEquals(5, lines.size(), "the first, one 30 s later, the wait, one 30 s later, verifying: " + lines);
        assertTrue(lines.get(1).contains("downloading model.onnx: 30.0 MiB / 100.0 MiB (30%) at 1.0 MiB/s, 1m10s left"),
                lines.get(1));
        assertTrue(lines.get(2).endsWith("connection refused; next try in 15s"), lines.get(2));
        assertTrue(lines.get(3).contains(" at 2.0 MiB/s"), "the rate after the outage is the link's: " + lines.get(3));
        assertTrue(lines.get(4).contains("verifying model.onnx"), lines.get(4));
    }

    @Test
    void theBarIsOneLineRedrawnInPlaceWithNoticesAboveIt() {
        ConsoleListener bar = listener(Mode.BAR, Duration.ofMillis(200));
        bar.start(TOTAL);
        for (int tenth = 0; tenth <= 20; tenth++) {
            bar.progress(ID, DownloadState.DOWNLOADING, tenth * MIB, TOTAL);
            advance(Duration.ofMillis(100));
        }
        bar.notice(ID, "connection lost; resuming at byte 20971520");
        bar.progress(ID, DownloadState.VERIFYING, 100 * MIB, TOTAL);
        bar.finish("complete", "complete", 100 * MIB);
        String out = text();
        assertFalse(out.substring(0, out.length() - 1).contains("\n" + "model.onnx"), "the bar never scrolls");
        assertTrue(out.contains("\r\u001b[Kskyloader: connection lost; resuming at byte 20971520\n"), out);
        assertTrue(out.contains(" 20% [####................] 20.0 MiB / 100.0 MiB at 10.0 MiB/s"), out);
        assertTrue(out.contains(", 4 connections\u001b[K"), out);
        assertTrue(out.contains("100% [####################] 100.0 MiB / 100.0 MiB  verifying\u001b[K"), out);
        assertTrue(out.endsWith("\n"), "the line is given back at the end");
        assertEquals(2, out.chars().filter(c -> c == '\n').count(), "the notice's line and the last: " + out);
    }

    @Test
    void noneShowsNothingAndTheModesAreChosenAsTheContractSays() {
        ConsoleListener none = listener(Mode.NONE, Duration.ofSeconds(1));
        none.start(TOTAL);
        none.progress(ID, DownloadState.DOWNLOADING, 5, TOTAL);
        none.notice(ID, "x");
        none.waiting(ID, Duration.ofSeconds(1), "y");
        none.finish("complete", "done", 5);
        assertEquals("", text());
        assertEquals(Mode.BAR, Mode.choose("auto", false, true));
        assertEquals(Mode.PLAIN, Mode.choose("auto", false, false));
        assertEquals(Mode.NONE, Mode.choose("auto", true, true), "--quiet");
        assertEquals(Mode.NONE, Mode.choose("bar", true, true), "--quiet");
        assertEquals(Mode.JSON, Mode.choose("JSON", true, false), "asked for by name, for a machine");
        assertEquals(Duration.ofSeconds(30), Mode.PLAIN.defaultInterval());
        assertEquals(Duration.ofSeconds(1), Mode.JSON.defaultInterval());
        BadInputException e = assertThrows(BadInputException.class, () -> Mode.choose("fancy", false, true));
        assertEquals("--progress: expected auto, bar, plain, json or none, got 'fancy'", e.getMessage());
    }

    @Test
    void aBarShowsReusedBytesApartAndTheRateIsOfWhatTheLinkBringsAfterADelta() {
        ConsoleListener bar = listener(Mode.BAR, Duration.ofMillis(100));
        bar.start(TOTAL);
        bar.progress(ID, DownloadState.DOWNLOADING, 0, TOTAL);
        advance(Duration.ofMillis(2000));
        bar.delta(ID, 96 * MIB, 100 * MIB, Duration.ofSeconds(2), "delta: ... found in 1 seed");
        bar.progress(ID, DownloadState.DOWNLOADING, 96 * MIB, TOTAL);
        for (int tenth = 1; tenth <= 20; tenth++) {
            advance(Duration.ofMillis(100));
            bar.progress(ID, DownloadState.DOWNLOADING, 96 * MIB + tenth * MIB / 10, TOTAL); // 1 MiB/s
        }
        String shown = text();
        String last = shown.substring(shown.lastIndexOf('\r') + 1);
        assertTrue(last.contains("96.0 MiB reused"), last);
        assertTrue(last.contains(" at 1.0 MiB/s"), "not the 96 MiB that arrived at once: " + last);
        assertTrue(shown.contains("delta: ... found in 1 seed"), shown);
    }
}
