package dev.skyloader.bootstrap.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloader.domain.AesKey;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.SourceUrl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An update response as {@code sync} reads it: {@code {"artifacts": [{"name", "url", "mirrors", "sha256", "size",
 * "encryption": {"cipher", "key"}, "priority", "delta_index", "seeds"}]}}. Read strictly: anything wrong is one line that names the entry
 * (its index and name) and never quotes a key. Fields it does not know are ignored, so a newer update service can
 * add some.
 */
record Manifest(List<Artifact> artifacts) {
    /** One entry, checked. The name is a plain file name: no separator, no NUL, not {@code .} or {@code ..}. */
    record Artifact(int index, String name, SourceUrl url, List<SourceUrl> mirrors, Sha256 sha256, OptionalLong size,
                    CipherName cipher, Optional<AesKey> key, int priority, Optional<String> deltaIndex,
                    List<String> seeds) {
        String where() {
            return "artifacts[" + index + "] (" + name + ")";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static Manifest parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the text around the problem, which may be a key: say only where.
            var at = e.getLocation();
            throw new BadInputException("manifest: not valid JSON" + (at == null ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || root.isMissingNode()) {
            throw new BadInputException("manifest: empty: expected a JSON object with \"artifacts\"");
        }
        if (!root.isObject()) {
            throw new BadInputException("manifest: expected a JSON object with \"artifacts\", got "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonNode list = root.get("artifacts");
        if (list == null || !list.isArray()) {
            throw new BadInputException("manifest: \"artifacts\" must be a list");
        }
        List<Artifact> artifacts = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        try {
            for (int i = 0; i < list.size(); i++) {
                Artifact artifact = artifact(i, list.get(i));
                artifacts.add(artifact);
                Integer before = names.putIfAbsent(artifact.name(), i);
                if (before != null) {
                    throw new BadInputException("manifest: " + artifact.where() + ": the same name as artifacts["
                            + before + "]");
                }
            }
            for (Artifact artifact : artifacts) {
                if (artifact.name().endsWith(".part") && names.containsKey(
                        artifact.name().substring(0, artifact.name().length() - ".part".length()))) {
                    throw new BadInputException("manifest: " + artifact.where() + ": the name of another "
                            + "artifact's part file");
                }
            }
        } catch (BadInputException e) {
            artifacts.forEach(a -> a.key().ifPresent(AesKey::destroy));
            throw e;
        }
        return new Manifest(List.copyOf(artifacts));
    }

    private static Artifact artifact(int index, JsonNode node) {
        String at = "manifest: artifacts[" + index + "]";
        if (!node.isObject()) {
            throw new BadInputException(at + ": expected an object");
        }
        JsonNode nameNode = node.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new BadInputException(at + ": \"name\" is missing or not a string");
        }
        String name = nameNode.asText();
        String nameProblem = nameProblem(name);
        if (nameProblem != null) {
            throw new BadInputException(at + ": \"name\" " + nameProblem);
        }
        String where = at + " (" + name + ")";
        SourceUrl url = field(where, "url", () -> new SourceUrl(text(where, node, "url", true)));
        List<SourceUrl> mirrors = new ArrayList<>();
        JsonNode mirrorList = node.get("mirrors");
        if (mirrorList != null && !mirrorList.isNull()) {
            if (!mirrorList.isArray()) {
                throw new BadInputException(where + ": \"mirrors\" must be a list of URLs");
            }
            for (int m = 0; m < mirrorList.size(); m++) {
                JsonNode mirror = mirrorList.get(m);
                if (!mirror.isTextual()) {
                    throw new BadInputException(where + ": mirrors[" + m + "] is not a string");
                }
                String label = "mirrors[" + m + "]";
                mirrors.add(field(where, label, () -> new SourceUrl(mirror.asText())));
            }
        }
        Sha256 sha256 = field(where, "sha256", () -> new Sha256(text(where, node, "sha256", true)));
        OptionalLong size = OptionalLong.empty();
        JsonNode sizeNode = node.get("size");
        if (sizeNode != null && !sizeNode.isNull()) {
            if (!sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong() || sizeNode.asLong() < 0) {
                throw new BadInputException(where + ": \"size\" must be a whole number of bytes, not negative");
            }
            size = OptionalLong.of(sizeNode.asLong());
        }
        int priority = 0;
        JsonNode priorityNode = node.get("priority");
        if (priorityNode != null && !priorityNode.isNull()) {
            if (!priorityNode.isIntegralNumber() || !priorityNode.canConvertToInt()) {
                throw new BadInputException(where + ": \"priority\" must be an integer");
            }
            priority = priorityNode.asInt();
        }
        Optional<String> deltaIndex = Optional.empty();
        JsonNode indexNode = node.get("delta_index");
        if (indexNode != null && !indexNode.isNull()) {
            if (!indexNode.isTextual()) {
                throw new BadInputException(where + ": \"delta_index\" must be a URL or \"auto\"");
            }
            if (!indexNode.asText().equals("auto")) {
                field(where, "delta_index", () -> new SourceUrl(indexNode.asText()));
            }
            deltaIndex = Optional.of(indexNode.asText());
        }
        List<String> seeds = new ArrayList<>();
        JsonNode seedList = node.get("seeds");
        if (seedList != null && !seedList.isNull()) {
            if (!seedList.isArray()) {
                throw new BadInputException(where + ": \"seeds\" must be a list of names of files in the output "
                        + "folder");
            }
            if (deltaIndex.isEmpty()) {
                throw new BadInputException(where + ": \"seeds\" needs \"delta_index\" (where the blocks are "
                        + "described)");
            }
            for (int s = 0; s < seedList.size(); s++) {
                JsonNode seed = seedList.get(s);
                String problem = seed.isTextual() ? nameProblem(seed.asText()) : "is not a string";
                if (problem != null) {
                    throw new BadInputException(where + ": seeds[" + s + "] " + problem);
                }
                seeds.add(seed.asText());
            }
        }
        CipherName cipher = CipherName.NONE;
        Optional<AesKey> key = Optional.empty();
        JsonNode encryption = node.get("encryption");
        if (encryption != null && !encryption.isNull()) {
            if (!encryption.isObject()) {
                throw new BadInputException(where + ": \"encryption\" must be an object with \"cipher\" and \"key\"");
            }
            String cipherText = text(where, encryption, "cipher", true);
            cipher = field(where, "encryption.cipher", () -> CipherName.parse(cipherText));
            JsonNode keyNode = encryption.get("key");
            if (cipher.needsKey()) {
                if (keyNode == null || !keyNode.isTextual()) {
                    throw new BadInputException(where + ": \"encryption.key\" is missing: cipher " + cipher
                            + " needs the artifact's key (base64 of 32 bytes)");
                }
                key = Optional.of(field(where, "encryption.key", () -> AesKey.parse(keyNode.asText())));
            } else if (keyNode != null && !keyNode.isNull()) {
                throw new BadInputException(where + ": \"encryption.key\" is given but the cipher is none");
            }
        }
        if (size.isPresent()) {
            CipherName c = cipher;
            long bytes = size.getAsLong();
            Optional<String> problem = c.sizeProblem(bytes);
            if (problem.isPresent()) {
                key.ifPresent(AesKey::destroy);
                throw new BadInputException(where + ": \"size\": " + problem.get());
            }
        }
        return new Artifact(index, name, url, List.copyOf(mirrors), sha256, size, cipher, key, priority, deltaIndex,
                List.copyOf(seeds));
    }

    /** Why {@code name} is not a plain file name inside the output folder, or null when it is one. */
    static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not a file name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return "'" + printable(name) + "' has a path separator: a name is a file name inside --out";
            }
            if (c == 0 || Character.isISOControl(c)) {
                return "'" + printable(name) + "' has a control character (NUL, newline, ...)";
            }
        }
        if (name.startsWith(".") && name.contains(".skyloader-")) {
            return "'" + name + "' is the name skyloader gives its own temporary files";
        }
        if (name.length() > 200) {
            return "is longer than 200 characters";
        }
        return null;
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static String text(String where, JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadInputException(where + ": \"" + field + "\" is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new BadInputException(where + ": \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static <T> T field(String where, String field, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + ": " + field + ": " + e.getMessage());
        }
    }
}
