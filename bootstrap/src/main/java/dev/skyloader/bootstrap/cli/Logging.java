package dev.skyloader.bootstrap.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Adapters log through System.Logger; on the command line that is one plain line on stderr per message. */
public final class Logging {
    private Logging() {
    }

    /**
     * @param debug {@code SKYLOADER_DEBUG} is set: skyloader's own debug records that carry an exception (an
     *              unexpected error of a command) are printed too, with their stack trace, by the JDK's formatter
     */
    public static void configure(boolean debug) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.INFO);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                String level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "error"
                        : record.getLevel().intValue() >= Level.WARNING.intValue() ? "warning" : "info";
                return "skyloader: " + level + ": " + formatMessage(record) + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        if (debug) {
            ConsoleHandler traces = new ConsoleHandler();
            traces.setLevel(Level.ALL);
            traces.setFilter(record -> record.getThrown() != null && record.getLevel().intValue() < Level.INFO.intValue());
            traces.setFormatter(new SimpleFormatter());
            root.addHandler(traces);
            Logger.getLogger("dev.skyloader").setLevel(Level.ALL);
        }
        // The AWS SDK and its HTTP client say a lot at INFO; an operator needs their warnings only.
        Logger.getLogger("software.amazon.awssdk").setLevel(Level.WARNING);
        Logger.getLogger("org.apache.http").setLevel(Level.WARNING);
    }
}
