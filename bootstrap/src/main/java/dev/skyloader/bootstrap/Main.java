package dev.skyloader.bootstrap;

import dev.skyloader.bootstrap.cli.Logging;
import dev.skyloader.bootstrap.cli.Skyloader;

/** The {@code skyloader} command. Everything happens in {@link Skyloader}; this only turns its answer into an exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Logging.configure(System.getenv().containsKey("SKYLOADER_DEBUG"));
        System.exit(Skyloader.run(args, System.out, System.err, System.getenv()));
    }
}
