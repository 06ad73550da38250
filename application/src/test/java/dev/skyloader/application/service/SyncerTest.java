package dev.skyloader.application.service;

import static org.junit.jupiter.api.Assertions.*;

import dev.skyloader.application.fakes.FakeClock;
import dev.skyloader.application.port.out.FileStore.PartFile;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SyncerTest {
    private final FakeClock clock = new FakeClock();
    private final List<Long> durable = new ArrayList<>();
    private final RecordingPart part = new RecordingPart();

    private Syncer syncer() {
        return new Syncer(part, new CountingMarks(durable), clock, 100, Duration.ofSeconds(5));
    }

    @Test
    void aBatchStartsEveryBatchOfBytesAndTheStateHearsOnlyAfterTheSync() throws Exception {
        Syncer syncer = syncer();
        syncer.wrote(60);
        syncer.drain();
        assertEquals(List.of(), durable, "not a batch yet");
        syncer.wrote(120);
        syncer.drain();
        assertEquals(List.of(120L), durable);
        assertEquals(1, part.syncs);
        syncer.wrote(200);
        syncer.drain();
        assertEquals(List.of(120L), durable, "80 bytes since the last batch");
        syncer.wrote(220);
        syncer.drain();
        assertEquals(List.of(120L, 220L), durable);
    }

    @Test
    void aBatchAlsoStartsWhenTheIntervalPassedWithFewBytes() throws Exception {
        Syncer syncer = syncer();
        syncer.wrote(10);
        syncer.drain();
        assertEquals(List.of(), durable);
        clock.advance(Duration.ofSeconds(5));
        syncer.wrote(11);
        syncer.drain();
        assertEquals(List.of(11L), durable);
    }

    @Test
    void theTransferNeverWaitsForARunningSyncAndNoSecondBatchStartsMeanwhile() throws Exception {
        part.gate = new CountDownLatch(1);
        Syncer syncer = syncer();
        syncer.wrote(150);
        syncer.wrote(400);
        syncer.wrote(900);
        assertEquals(List.of(), durable, "the sync is still running, the writes went on");
        part.gate.countDown();
        syncer.drain();
        assertEquals(List.of(150L), durable);
        assertEquals(1, part.syncs);
    }

    @Test
    void aSyncThatFailedIsReportedAtTheNextWrite() throws Exception {
        part.fail = true;
        Syncer syncer = syncer();
        syncer.wrote(150);
        syncer.drain();
        IOException e = assertThrows(IOException.class, () -> syncer.wrote(160));
        assertEquals("No space left on device", e.getMessage());
        assertEquals(List.of(), durable);
        // Linux reports a failed writeback to one fsync only: the failure must stay until the part is cut.
        part.fail = false;
        assertThrows(IOException.class, () -> syncer.wrote(400));
        assertThrows(IOException.class, syncer::check);
        syncer.restartAt(0);
        syncer.check();
    }

    @Test
    void afterACutTheNextBatchCountsFromTheNewEnd() throws Exception {
        Syncer syncer = syncer();
        syncer.wrote(150);
        syncer.restartAt(0);
        syncer.wrote(90);
        syncer.drain();
        assertEquals(List.of(150L), durable);
        syncer.wrote(100);
        syncer.drain();
        assertEquals(List.of(150L, 100L), durable);
    }

    private static final class RecordingPart implements PartFile {
        volatile CountDownLatch gate;
        volatile boolean fail;
        volatile int syncs;

        @Override
        public void sync() throws IOException {
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (fail) {
                throw new IOException("No space left on device");
            }
            syncs++;
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public void write(long position, byte[] bytes, int offset, int length) {
        }

        @Override
        public int read(long position, byte[] bytes, int offset, int length) {
            return -1;
        }

        @Override
        public void truncate(long size) {
        }

        @Override
        public InputStream openReader() {
            return InputStream.nullInputStream();
        }

        @Override
        public void close() {
        }
    }
}
