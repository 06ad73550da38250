package dev.skyloader.bootstrap;

import dev.skyloader.bootstrap.cli.Logging;
import dev.skyloader.bootstrap.cli.Skyloader;

/** The {@code skyloader} command. Everything happens in {@link Skyloader}; this only turns its answer into an exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && "get".equals(args[0])) {
            // The JDK's HTTP client sets up TLS when it is built, even for http:// (about 0.15 s of class loading and
            // initialising): done on the second core while the command line, the wiring and the state load.
            Thread.ofPlatform().daemon().name("skyloader-warm-up").start(Main::warmUp);
        }
        Logging.configure(System.getenv().containsKey("SKYLOADER_DEBUG"));
        System.exit(Skyloader.run(args, System.out, System.err, System.getenv()));
    }

    private static void warmUp() {
        try {
            javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
            // The client reports it when it is built.
        }
    }
}
