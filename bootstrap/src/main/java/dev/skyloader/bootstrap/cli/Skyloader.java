package dev.skyloader.bootstrap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: parses, runs one subcommand, and maps every outcome to an exit code and one line of text. */
@Command(name = "skyloader", mixinStandardHelpOptions = true, version = "skyloader 0.1.0",
        description = "Resumable, verified, decrypting downloads for devices on intermittent links.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:complete", "1:failed for good (verification, decryption, permanent HTTP error)",
                "2:bad input", "75:not finished yet: the state is kept, run again to resume"})
public final class Skyloader implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(Skyloader.class.getName());
    /** The subcommands, in the order the usage lists them; each is named by its own {@code @Command}. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(GetCommand.class, SyncCommand.class, StatusCommand.class,
            KickCommand.class, EncryptCommand.class, DemoCommand.class, CommandLine.HelpCommand.class);

    final java.io.InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;

    private Skyloader(java.io.InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** Runs the command line; returns the exit code. Never throws, never prints a stack trace. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, System.in, out, err, env);
    }

    /** As {@link #run(String[], PrintStream, PrintStream, Map)}, reading {@code -} (a manifest) from {@code in}. */
    public static int run(String[] args, java.io.InputStream in, PrintStream out, PrintStream err,
                          Map<String, String> env) {
        CommandLine cli = new CommandLine(new Skyloader(in, out, err, env));
        // Building a subcommand's model reads its annotations (20-25 ms for all of them at start-up): only the one
        // named is built; the others too when none is named, or help, or an unknown word (for the usage and the
        // "did you mean" hints).
        String named = args.length > 0 ? args[0] : "";
        boolean one = !"help".equals(named) && SUBCOMMANDS.stream().anyMatch(type -> nameOf(type).equals(named));
        for (Class<?> type : SUBCOMMANDS) {
            if (!one || nameOf(type).equals(named)) {
                cli.addSubcommand(type);
            }
        }
        // Wide enough that no default path is broken across lines.
        cli.setUsageHelpWidth(110);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> {
            String command = e.getCommandLine().getCommandName();
            err.println("skyloader: " + firstLine(e.getMessage()) + " (see: "
                    + ("skyloader".equals(command) ? "skyloader" : "skyloader " + command) + " --help)");
            return ExitCode.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof BadInputException) {
                err.println("skyloader: " + firstLine(e.getMessage()));
                return ExitCode.BAD_INPUT;
            }
            if (e instanceof InterruptedException) {
                err.println("skyloader: stopped; what was received is saved: run the same command again to resume");
                return ExitCode.NOT_FINISHED;
            }
            err.println("skyloader: error: " + firstLine(String.valueOf(e.getMessage())) + " ("
                    + e.getClass().getSimpleName() + ")");
            // Printed, with its stack trace, only when SKYLOADER_DEBUG is set (see Logging).
            LOG.log(System.Logger.Level.DEBUG, "the error above", e);
            return ExitCode.FAILED;
        });
        return cli.execute(args);
    }

    private static String nameOf(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    @Override
    public Integer call() {
        err.println("skyloader: a command is needed: get, sync, status, kick, encrypt or demo (see: skyloader --help)");
        return ExitCode.BAD_INPUT;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }
}
