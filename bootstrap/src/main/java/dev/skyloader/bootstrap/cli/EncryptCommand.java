package dev.skyloader.bootstrap.cli;

import dev.skyloader.adapters.fs.FsSettings;
import dev.skyloader.adapters.http.HttpSettings;
import dev.skyloader.adapters.s3.S3Settings;
import dev.skyloader.application.port.in.EncryptArtifact;
import dev.skyloader.application.port.in.EncryptArtifactCommand;
import dev.skyloader.application.port.in.EncryptedArtifact;
import dev.skyloader.application.service.TransferSettings;
import dev.skyloader.bootstrap.wiring.Wiring;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "encrypt", mixinStandardHelpOptions = true,
        description = {"The publisher's side: encrypt a file into an artifact format for get and sync.",
                "Prints what a manifest needs: its SHA-256, size and key. Without --key-file a fresh random key is "
                        + "made, and printed unless --key-out writes it to a file."})
final class EncryptCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Parameters(index = "0", paramLabel = "IN", description = "The file to encrypt (the model, the image archive).")
    String input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Where the artifact goes: the bytes to serve.")
    String output;

    @Option(names = "--cipher", required = true, paramLabel = "NAME",
            description = "aes-256-gcm, aes-256-cbc, aes-256-ctr or none.")
    String cipher;

    @Option(names = "--key-file", paramLabel = "FILE", description = "The 32-byte AES key as hex or base64 text.")
    String keyFile;

    @Option(names = "--key-out", paramLabel = "FILE",
            description = "Write the new random key to FILE (base64, mode 600, never over a file) instead of the "
                    + "plain output; the --json entry still carries it, as a manifest needs it.")
    String keyOut;

    @Option(names = "--url", paramLabel = "URL",
            description = "Where the artifact will be served: put in the manifest entry that --json prints.")
    String url;

    @Option(names = "--delta-index", description = "Also write OUT.zsync: the zsync control file of IN, encrypted "
            + "with the same cipher and key (unless none), for delta updates of the devices that hold an older "
            + "version. Serve it beside OUT.")
    boolean deltaIndex;

    @Option(names = "--block-size", paramLabel = "BYTES", description = "Block size of the control file: a power of "
            + "two, 16 bytes to 1 MiB (default: 2048 below 100 MB, else 4096, as zsyncmake).")
    String blockSize;

    @Option(names = "--name", paramLabel = "NAME", description = "The artifact's name on the devices, for the "
            + "manifest entry that --json prints (default: IN's file name); sync writes it as --out/NAME.")
    String entryName;

    @Option(names = "--json", description = "Print the artifact's entry of a sync manifest as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        CipherName name = Inputs.parse("--cipher", () -> CipherName.parse(cipher));
        Path in = Inputs.existingFile("IN", input);
        Path out = Inputs.outputFile("--output", output);
        if (out.equals(in)) {
            throw new BadInputException("--output: must differ from the input");
        }
        Optional<AesKey> given = Inputs.key(keyFile, null, root.env);
        if (!name.needsKey() && given.isPresent()) {
            throw new BadInputException("--key-file: cipher none takes no key");
        }
        if (keyOut != null && (given.isPresent() || !name.needsKey())) {
            throw new BadInputException("--key-out: only for a new key (a cipher other than none, without --key-file)");
        }
        Path keyPath = keyOut == null ? null : Inputs.outputFile("--key-out", keyOut);
        if (keyPath != null && Files.exists(keyPath)) {
            throw new BadInputException("--key-out: " + keyPath + " exists; a key file is never overwritten");
        }
        if (url != null) {
            Inputs.parse("--url", () -> new dev.skyloader.domain.SourceUrl(url));
        }
        if (entryName != null) {
            String problem = Manifest.nameProblem(entryName);
            if (problem != null) {
                throw new BadInputException("--name " + problem);
            }
        }
        if (blockSize != null && !deltaIndex) {
            throw new BadInputException("--block-size: only with --delta-index");
        }
        int indexBlockSize = deltaIndex ? blockSizeFor(in) : 0;
        AesKey key = given.orElseGet(EncryptCommand::randomKey);
        try (Wiring wiring = new Wiring(new FsSettings(out.getParent()), HttpSettings.DEFAULT, S3Settings.DEFAULT,
                TransferSettings.DEFAULT)) {
            EncryptedArtifact artifact;
            try (InputStream plain = new BufferedInputStream(Files.newInputStream(in), 256 << 10)) {
                artifact = wiring.get(EncryptArtifact.class).encrypt(
                        new EncryptArtifactCommand(name, key, plain, out.toString(), indexBlockSize, Files.size(in)));
            }
            String hex = artifact.sha256().hex();
            long size = artifact.size();
            if (keyPath != null) {
                writeKey(keyPath, key);
            }
            if (json) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", entryName != null ? entryName : in.getFileName().toString());
                if (url != null) {
                    entry.put("url", url);
                }
                entry.put("sha256", hex);
                entry.put("size", size);
                if (name.needsKey()) {
                    entry.put("encryption", Map.of("cipher", name.wireName(), "key", key.toBase64()));
                }
                if (artifact.indexPath().isPresent()) {
                    entry.put("delta_index", url == null ? "auto"
                            : Inputs.autoIndex(new dev.skyloader.domain.SourceUrl(url)).value());
                }
                root.out.println(JsonOutput.write(entry));
            } else {
                root.out.println("sha256 " + hex);
                root.out.println("size " + size);
                root.out.println("cipher " + name.wireName());
                if (name.needsKey() && given.isEmpty() && keyPath == null) {
                    root.out.println("key " + key.toBase64());
                }
                if (keyPath != null) {
                    root.out.println("key-file " + keyPath);
                }
                artifact.indexPath().ifPresent(path -> root.out.println("delta-index " + path));
            }
            return ExitCode.COMPLETE;
        } finally {
            key.destroy();
        }
    }

    /** zsyncmake's choice unless --block-size says otherwise. */
    private int blockSizeFor(Path in) throws IOException {
        if (blockSize == null) {
            return Files.size(in) < 100_000_000 ? 2048 : 4096;
        }
        long bytes = Inputs.parse("--block-size", () -> dev.skyloader.domain.ByteCount.parse(blockSize)).bytes();
        if (bytes < 16 || bytes > (1 << 20) || Long.bitCount(bytes) != 1) {
            throw new BadInputException("--block-size: a power of two from 16 bytes to 1 MiB, got " + blockSize);
        }
        return (int) bytes;
    }

    /** The key as base64 in a new file that only its owner can read, written before anything else sees it. */
    private static void writeKey(Path path, AesKey key) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        var mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try (var channel = Files.newByteChannel(path, java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                mode))) {
            channel.write(java.nio.ByteBuffer.wrap((key.toBase64() + "\n").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)));
        }
        Files.setPosixFilePermissions(path, mode); // whatever the umask
    }

    private static AesKey randomKey() {
        byte[] bytes = new byte[AesKey.LENGTH];
        new SecureRandom().nextBytes(bytes);
        AesKey key = AesKey.of(bytes);
        java.util.Arrays.fill(bytes, (byte) 0);
        return key;
    }
}
