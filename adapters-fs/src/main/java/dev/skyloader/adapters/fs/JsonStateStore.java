package dev.skyloader.adapters.fs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.skyloader.application.port.out.StateStore;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * One JSON document per download, {@code <id>.json} in the state directory.
 *
 * <p>A save writes a temporary file, fsyncs it, renames it over the document and fsyncs the directory: after a
 * crash or a power loss the document is the old one or the new one, whole. A document that cannot be read (cut in
 * half, edited by hand) is renamed to {@code <id>.json.corrupt-<millis>} with a warning and its download starts
 * over, so a damaged file never turns into a crash loop.
 *
 * <p>{@link #saveUnsynced} writes beside the document, {@code <id>.json.live}, with the same rename and no fsync:
 * the document itself is only ever replaced durably. A load takes the live copy when it is readable and newer than
 * the document (a crash of the process alone: the page cache kept it), and ignores it otherwise (after a power loss
 * it may be empty or old). A durable save removes it.
 */
final class JsonStateStore implements StateStore {
    private static final System.Logger LOG = System.getLogger(JsonStateStore.class.getName());
    private static final String SUFFIX = ".json";

    /** Thread-safe, and cheap to make parsers and generators from: one for every store. */
    private static final JsonFactory JSON = new JsonFactory();

    private final Path directory;
    private final Clock clock;

    JsonStateStore(Path directory, Clock clock) {
        this.directory = requireNonNull(directory, "directory is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Optional<Download> load(DownloadId id) throws IOException {
        Optional<Download> durable = loadDocument(id);
        Optional<Download> live = loadLive(id);
        if (live.isPresent() && (durable.isEmpty() || live.get().updatedAt().isAfter(durable.get().updatedAt()))) {
            return live;
        }
        return durable;
    }

    private Optional<Download> loadDocument(DownloadId id) throws IOException {
        Path file = documentPath(id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(bytes, file, id));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException
                 | DateTimeParseException e) {
            quarantine(file, e);
            return Optional.empty();
        }
    }

    /** The live copy, when there is a readable one for this id; anything else is no live copy. */
    private Optional<Download> loadLive(DownloadId id) throws IOException {
        Path file = livePath(id);
        try {
            return Optional.of(parse(Files.readAllBytes(file), file, id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException
                 | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private Download parse(byte[] bytes, Path file, DownloadId id) throws IOException {
        StateDocument document;
        try (JsonParser parser = JSON.createParser(bytes)) {
            document = StateDocument.read(parser);
        }
        if (document.schemaVersion() > StateDocument.CURRENT_SCHEMA) {
            throw new IOException(file + " was written by a newer skyloader (schema_version "
                    + document.schemaVersion() + "); this one reads up to " + StateDocument.CURRENT_SCHEMA);
        }
        Download download = document.toDownload();
        if (!download.id().equals(id)) {
            throw new IllegalArgumentException("document names id " + download.id());
        }
        return download;
    }

    @Override
    public void save(Download download) throws IOException {
        write(download, true);
    }

    /** The same temporary file and rename, without the two fsyncs. */
    @Override
    public void saveUnsynced(Download download) throws IOException {
        write(download, false);
    }

    private void write(Download download, boolean durably) throws IOException {
        Uninterruptible.call(() -> {
            writeOnce(download, durably);
            return null;
        });
    }

    private void writeOnce(Download download, boolean durably) throws IOException {
        Files.createDirectories(directory);
        Path target = durably ? documentPath(download.id()) : livePath(download.id());
        Path temp = directory.resolve("." + target.getFileName() + ".tmp");
        byte[] bytes = toJson(StateDocument.from(download));
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durably) {
                channel.force(true);
            }
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durably) {
            Fsync.directory(directory);
            // Older than the document now; were its removal lost, a load would still prefer the document.
            Files.deleteIfExists(livePath(download.id()));
        }
    }

    /** The document as JSON, indented as Jackson's default pretty printer does. */
    static byte[] toJson(StateDocument document) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.useDefaultPrettyPrinter();
            document.write(generator);
        }
        return out.toByteArray();
    }

    @Override
    public List<Download> list() throws IOException {
        List<Download> downloads = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return downloads;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                DownloadId downloadId;
                try {
                    downloadId = new DownloadId(id);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                load(downloadId).ifPresent(downloads::add);
            }
        }
        return downloads;
    }

    @Override
    public void delete(DownloadId id) throws IOException {
        Files.deleteIfExists(livePath(id));
        if (Files.deleteIfExists(documentPath(id))) {
            Fsync.directory(directory);
        }
    }

    private Path documentPath(DownloadId id) {
        return directory.resolve(id.value() + SUFFIX);
    }

    private Path livePath(DownloadId id) {
        return directory.resolve(id.value() + SUFFIX + ".live");
    }

    private void quarantine(Path file, Exception cause) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + clock.millis());
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(directory);
        LOG.log(System.Logger.Level.WARNING, "state file " + file + " is unreadable (" + firstLine(cause)
                + "); moved it to " + aside.getFileName() + " and starting that download over");
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
