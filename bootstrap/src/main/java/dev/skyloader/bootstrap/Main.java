package dev.skyloader.bootstrap;

import dev.skyloader.bootstrap.cli.Logging;
import dev.skyloader.bootstrap.cli.Skyloader;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code skyloader} command. Everything happens in {@link Skyloader}; this only turns its answer into an exit
 * code.
 */
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
        if (args.length > 0 && ("get".equals(args[0]) || "sync".equals(args[0]))) {
            // Done on the second core while the command line, the wiring and the state load (see warmCrypto).
            Thread.ofPlatform().daemon().name("skyloader-warm-crypto").start(Main::warmCrypto);
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

    /** Calls of {@link #warmCrypto}: enough for the JIT's last tier (C2) to compile the three loops. */
    static final int WARM_CALLS = 1500;

    /**
     * Runs AES-CTR (the decryption on arrival), AES-GCM encryption (the verifier's re-encryption) and SHA-256 over
     * a few MB of zeros, in the 4 KiB calls the data path makes. The JDK's AES, GHASH and SHA-256 instructions are
     * used only once the JIT's last tier has compiled these loops, which takes thousands of calls: without this the
     * first 100-200 MB of a download went through them slowly, for longer when the processor is shared. Measured
     * (1 GiB aes-256-gcm from a local nginx, alternated runs): the loops compiled 0.2-0.35 s after the start instead
     * of 0.5-0.85 s (GCM's 0.67 s against 0.84 s). The download took as long on an idle machine (2.50 s against
     * 2.44 s, medians of 4), and 3.40 s against 3.55 s (medians of 7) with another process busy on one of the two
     * cores, as on a shared host.
     */
    static void warmCrypto() {
        try {
            byte[] in = new byte[4096];
            byte[] out = new byte[in.length + 16];
            javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
            javax.crypto.Cipher ctr = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.IvParameterSpec(new byte[16]));
            javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < WARM_CALLS; i++) {
                ctr.update(in, 0, in.length, out, 0);
                gcm.update(in, 0, in.length, out, 0);
                sha256.update(in, 0, in.length);
            }
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            // Only a warm-up: the download reports what this JDK cannot do.
        }
    }

    private static void warmUp() {
        try {
            javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
            // The client reports it when it is built.
        }
    }
}
