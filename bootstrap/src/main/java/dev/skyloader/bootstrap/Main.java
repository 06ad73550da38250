package dev.skyloader.bootstrap;

import dev.skyloader.bootstrap.cli.Logging;
import dev.skyloader.bootstrap.cli.Skyloader;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@code skyloader} command. Everything happens in {@link Skyloader}; this only turns its answer into an exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Guice generates no classes for us (no method interception is used): without this it defines them through
        // sun.misc.Unsafe, which JDK 23+ warns about on every start of `java -jar skyloader.jar`.
        if (System.getProperty("guice_bytecode_gen_option") == null) {
            System.setProperty("guice_bytecode_gen_option", "DISABLED");
        }
        if (args.length > 0 && "get".equals(args[0]) && Arrays.stream(args).anyMatch(Main::mayUseTls)) {
            // TLS takes about 0.15 s of class loading and initialising (the trust store, the providers): for a
            // download that will need it, done on the second core while the command line, the wiring and the state
            // load. Plain HTTP never sets it up (the client's context is made on its first https connection).
            Thread.ofPlatform().daemon().name("skyloader-warm-up").start(Main::warmUp);
        }
        Logging.configure(System.getenv().containsKey("SKYLOADER_DEBUG"));
        Thread main = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(NOT_FINISHED);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(main, finished, exitCode), "skyloader-stop"));
        exitCode.set(Skyloader.run(args, System.out, System.err, System.getenv()));
        finished.countDown();
        System.exit(exitCode.get());
    }

    /** What skyloader exits with when stopped before it finished: not finished yet, the state kept. */
    private static final int NOT_FINISHED = 75;
    /** A container runtime kills 10 s after SIGTERM: the stop must be done well before. */
    private static final long STOP_GRACE_MILLIS = 8_000;

    /**
     * SIGTERM or SIGINT (or the end of {@code main}): the command is interrupted, which stops its transfers and
     * makes what they wrote durable, and the process then exits with the command's code (75 when stopped). The JVM
     * would otherwise exit at once with 143 or 130, in the middle of a write.
     */
    private static void stop(Thread main, CountDownLatch finished, AtomicInteger exitCode) {
        if (finished.getCount() > 0) {
            main.interrupt();
            try {
                finished.await(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // exit now
            }
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(finished.getCount() == 0 ? exitCode.get() : NOT_FINISHED);
    }

    /**
     * Whether an argument names an https or s3 URL (the URL, a mirror, a delta index, {@code --mirror=URL}): a hint
     * for the warm-up only, which costs a tenth of a second when wrong and nothing else.
     */
    static boolean mayUseTls(String arg) {
        String lower = arg.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("https://") || lower.contains("s3://");
    }

    private static void warmUp() {
        try {
            javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
            // The client reports it when it is built.
        }
    }
}
