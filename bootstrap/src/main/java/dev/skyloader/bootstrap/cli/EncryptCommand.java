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
        description = {"The publisher's side: encrypt a file into an artifact format and print what a manifest needs:",
                "its SHA-256, size and key. Without --key-file a fresh random key is made and printed."})
final class EncryptCommand implements Callable<Integer> {
    @ParentCommand
    Skyloader root;

    @Parameters(index = "0", paramLabel = "IN")
    String input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
    String output;

    @Option(names = "--cipher", required = true, paramLabel = "NAME",
            description = "aes-256-gcm, aes-256-cbc, aes-256-ctr or none.")
    String cipher;

    @Option(names = "--key-file", paramLabel = "FILE", description = "The 32-byte AES key as hex or base64 text.")
    String keyFile;

    @Option(names = "--json", description = "Print a manifest entry as JSON.")
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
        AesKey key = given.orElseGet(EncryptCommand::randomKey);
        try (Wiring wiring = new Wiring(new FsSettings(out.getParent()), HttpSettings.DEFAULT, S3Settings.DEFAULT,
                TransferSettings.DEFAULT)) {
            EncryptedArtifact artifact;
            try (InputStream plain = new BufferedInputStream(Files.newInputStream(in), 256 << 10)) {
                artifact = wiring.get(EncryptArtifact.class).encrypt(
                        new EncryptArtifactCommand(name, key, plain, out.toString()));
            }
            String hex = artifact.sha256().hex();
            long size = artifact.size();
            if (json) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", in.getFileName().toString());
                entry.put("sha256", hex);
                entry.put("size", size);
                if (name.needsKey()) {
                    entry.put("encryption", Map.of("cipher", name.wireName(), "key", key.toBase64()));
                }
                root.out.println(JsonOutput.write(entry));
            } else {
                root.out.println("sha256 " + hex);
                root.out.println("size " + size);
                root.out.println("cipher " + name.wireName());
                if (name.needsKey() && given.isEmpty()) {
                    root.out.println("key " + key.toBase64());
                }
            }
            return ExitCode.COMPLETE;
        } finally {
            key.destroy();
        }
    }

    private static AesKey randomKey() {
        byte[] bytes = new byte[AesKey.LENGTH];
        new SecureRandom().nextBytes(bytes);
        AesKey key = AesKey.of(bytes);
        java.util.Arrays.fill(bytes, (byte) 0);
        return key;
    }
}
