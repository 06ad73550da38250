package dev.skyloader.adapters.http;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StallGuardedBodyTest {
    private static final int LIST = 100 << 10;

    private final AtomicLong requested = new AtomicLong();
    private final StallGuardedBody body = new StallGuardedBody(Duration.ofSeconds(5));
    private int delivered;
    private byte next;

    private void subscribe() {
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
            }

            @Override
            public void cancel() {
            }
        });
    }

    /** The client answers every ask with a list of 100 KiB, numbered in its bytes. */
    private void answerEveryAsk() {
        while (delivered < requested.get()) {
            byte[] bytes = new byte[LIST];
            java.util.Arrays.fill(bytes, next++);
            body.onNext(List.of(ByteBuffer.wrap(bytes, 0, LIST / 2), ByteBuffer.wrap(bytes, LIST / 2, LIST / 2)));
            delivered++;
        }
    }

    @Test
    void asksForMoreOnlyWhileLessThanItsShareWaitsForTheReader() throws IOException {
        subscribe();
        assertEquals(1, requested.get(), "one list at a time");
        answerEveryAsk();
        // 512 KiB: five lists wait, and the sixth one asked for before them made it 600 KiB.
        assertEquals(6, delivered);
        assertEquals(6, requested.get());

        byte[] read = new byte[LIST];
        assertEquals(LIST, body.read(read, 0, LIST));
        assertEquals(0, read[0]);
        assertEquals(0, read[LIST - 1]);
        assertEquals(6, requested.get(), "a list counts until it is read through");
        assertEquals(1, body.read(read, 0, 1));
        assertEquals(1, read[0], "the second list");
        assertEquals(7, requested.get(), "500 KiB wait, less than 512: one more");
        answerEveryAsk();
        assertEquals(7, delivered);
        assertEquals(LIST - 1, body.read(read, 0, LIST - 1));
        assertEquals(7, requested.get());
        assertEquals(1, body.read(read, 0, 1));
        assertEquals(2, read[0], "the third list");
        assertEquals(8, requested.get(), "the second list read through: one more");
    }

    @Test
    void theBytesComeInOrderAndThenTheEnd() throws IOException {
        subscribe();
        answerEveryAsk();
        body.onComplete();
        byte[] read = new byte[LIST];
        for (int list = 0; list < 6; list++) {
            int got = 0;
            while (got < LIST) {
                int n = body.read(read, got, LIST - got);
                assertTrue(n > 0);
                got += n;
            }
            assertEquals(list, read[0]);
            assertEquals(list, read[LIST - 1]);
            answerEveryAsk();
        }
        // Lists asked for after the end came are never delivered: the end is read.
        assertEquals(-1, body.read(read, 0, 1));
    }

    @Test
    void aFailureAfterWhatArrivedComesAfterItsBytes() throws IOException {
        subscribe();
        answerEveryAsk();
        body.failAfterWhatArrived(new IOException("fixed content-length: 1000000, bytes received: 614400"));
        byte[] read = new byte[7 * LIST];
        int got = 0;
        IOException e = null;
        try {
            while (true) {
                int n = body.read(read, got, read.length - got);
                got += n;
            }
        } catch (IOException failure) {
            e = failure;
        }
        assertEquals(6 * LIST, got, "every byte first");
        assertNotNull(e);
        assertTrue(e.getMessage().contains("bytes received"), e.getMessage());
    }
}
