package dev.skyloader.bootstrap.cli;

import dev.skyloader.domain.AesKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Turns option text into values, naming the option in the one-line error when it cannot. */
final class Inputs {
    private Inputs() {
    }

    static <T> T parse(String option, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option, e);
        }
    }

    /**
     * {@code --delta-index URL|auto} and its {@code --seed} files: auto is the control file beside whichever source an
     * attempt uses, its URL with {@code .zsync} added to the path (without the query: a presigned signature is the
     * artifact's, not the control file's). A seed must be a readable file.
     */
    static java.util.Optional<dev.skyloader.application.port.in.DownloadCommand.Delta> delta(
            String index, java.util.List<String> seeds, dev.skyloader.domain.SourceUrl artifact) {
        if (index == null) {
            if (!seeds.isEmpty()) {
                throw new BadInputException("--seed needs --delta-index URL|auto (where the blocks are described)");
            }
            return java.util.Optional.empty();
        }
        java.util.List<String> paths = new java.util.ArrayList<>();
        for (String seed : seeds) {
            paths.add(existingFile("--seed", seed).toString());
        }
        if ("auto".equals(index)) {
            return java.util.Optional.of(dev.skyloader.application.port.in.DownloadCommand.Delta.beside(artifact,
                    paths));
        }
        dev.skyloader.domain.SourceUrl url = parse("--delta-index", () -> new dev.skyloader.domain.SourceUrl(index));
        return java.util.Optional.of(new dev.skyloader.application.port.in.DownloadCommand.Delta(url, paths));
    }

    /** The control file beside an artifact: its URL with {@code .zsync} at the end of the path, without a query. */
    static dev.skyloader.domain.SourceUrl autoIndex(dev.skyloader.domain.SourceUrl artifact) {
        return artifact.beside(".zsync");
    }

    /** A file to write: a valid path, naming a file rather than an existing directory. */
    static Path outputFile(String option, String value) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BadInputException(option + ": not a valid path: " + value);
        }
        if (path.getFileName() == null) {
            throw new BadInputException(option + ": not a file name: " + value);
        }
        if (Files.isDirectory(path)) {
            throw new BadInputException(option + ": " + path + " is a directory; name the file");
        }
        return path;
    }

    /** A folder to use or create: a valid path, not an existing file ({@code noun}: how the error names a folder). */
    static Path folder(String option, String value, String noun) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BadInputException(option + ": not a valid path: " + value);
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new BadInputException(option + ": " + path + " exists and is not a " + noun);
        }
        return path;
    }

    static Path existingFile(String option, String value) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BadInputException(option + ": not a valid path: " + value);
        }
        if (!Files.exists(path)) {
            throw new BadInputException(option + ": no such file: " + path);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new BadInputException(option + ": cannot read " + path
                    + (Files.isDirectory(path) ? " (a folder)" : " (permission)"));
        }
        return path;
    }

    /** The key from exactly one of {@code --key-file} and {@code --key-env}; the text is not kept. */
    static Optional<AesKey> key(String keyFile, String keyEnv, Map<String, String> env) {
        if (keyFile != null && keyEnv != null) {
            throw new BadInputException("give either --key-file or --key-env, not both");
        }
        if (keyFile != null) {
            Path path = existingFile("--key-file", keyFile);
            String text;
            try {
                text = readSmall(path);
            } catch (IOException e) {
                throw new BadInputException("--key-file: cannot read " + path + ": " + e.getMessage());
            }
            return Optional.of(parse("--key-file", () -> AesKey.parse(text)));
        }
        if (keyEnv != null) {
            String text = env.get(keyEnv);
            if (text == null) {
                throw new BadInputException("--key-env: environment variable " + keyEnv + " is not set");
            }
            return Optional.of(parse("--key-env " + keyEnv, () -> AesKey.parse(text)));
        }
        return Optional.empty();
    }

    private static String readSmall(Path path) throws IOException {
        if (Files.size(path) > 4096) {
            throw new IOException("a key file holds 32 bytes as hex or base64 text, this one is " + Files.size(path)
                    + " bytes");
        }
        return Files.readString(path);
    }
}
