package dev.skyloader.adapters.fs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.Validator;
import dev.skyloader.domain.PieceMap;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The state file as it is on disk: the specification's snake_case names. Unknown fields are ignored, so a document
 * written by a newer version with extra fields still loads; a newer {@code schema_version} does not.
 * There is no field for the key: it never reaches the disk.
 *
 * <p>Read and written with Jackson's streaming parser and generator, field by field, rather than by data binding:
 * binding costs every start about 0.1 s of reflection and class loading before the first request (measured: an
 * object mapper made, one document written and one read, 150 ms against 15 ms). Read as binding read it: unknown
 * fields skipped, a null or missing number taken as 0 (or as absent where the field is optional), a number written
 * as a string or with a fraction taken as the number; anything else is a {@link JsonParseException}.
 */
record StateDocument(
        int schemaVersion,
        String id,
        String url,
        String expectedSha256,
        Long expectedSize,
        long bytesDownloaded,
        String tempFilePath,
        String outputPath,
        String cipher,
        String state,
        int attempts,
        int restarts,
        String nextAttemptAt,
        String lastError,
        String validator,
        String validatorSource,
        String createdAt,
        String updatedAt,
        Long bytesDurable,
        String bootId,
        String partEncoding,
        String header,
        Long placedSize,
        List<List<Long>> pieces,
        List<List<Long>> durablePieces,
        String mismatchedSha256,
        Long reportedSize,
        Long bytesReused) {

    /**
     * 2: the part file holds the decrypted body ({@code part_encoding}), with two marks ({@code bytes_downloaded}
     * written, {@code bytes_durable} synced) and the boot they were written in. 1: the part held the served bytes,
     * all of them synced; such a document still loads, as a served part whose bytes are all durable. A part fetched
     * over several connections has gaps: {@code pieces} and {@code durable_pieces} then list its ranges (an optional
     * field, so schema 2 still).
     */
    static final int CURRENT_SCHEMA = 2;

    static StateDocument from(Download d) {
        return new StateDocument(CURRENT_SCHEMA, d.id().value(), d.url(), d.expectedSha256().hex(),
                d.expectedSize().isPresent() ? d.expectedSize().getAsLong() : null, d.bytesDownloaded(),
                d.partPath(), d.outputPath(), d.cipher().wireName(), d.state().wireName(), d.attempts(), d.restarts(),
                d.nextAttemptAt().map(Instant::toString).orElse(null), d.lastError().orElse(null),
                d.validator().map(Validator::tag).orElse(null), d.validator().map(Validator::source).orElse(null),
                d.createdAt().toString(),
                d.updatedAt().toString(), d.bytesDurable(), d.bootId().orElse(null), d.partEncoding().wireName(),
                d.header().orElse(null), d.placedSize().isPresent() ? d.placedSize().getAsLong() : null,
                ranges(d.pieces(), d.bytesDownloaded(), d), ranges(d.durablePieces(), d.bytesDurable(), d),
                d.mismatchedSha256().map(Sha256::hex).orElse(null),
                d.reportedSize().isPresent() ? d.reportedSize().getAsLong() : null,
                d.bytesReused().isPresent() ? d.bytesReused().getAsLong() : null);
    }

    /**
     * The part's ranges as {@code [[start, end], ...]} (part offsets, end exclusive), only when they are not simply
     * the prefix the byte count stands for or several connections may write the part (then always, so that a run
     * after a crash trusts only them): a download over one connection writes no such field.
     */
    private static List<List<Long>> ranges(PieceMap map, long counted, Download d) {
        long prefix = Math.max(0, counted - d.cipher().headerBytes());
        if (!d.piecewise() && map.ranges().size() <= 1 && map.prefix() == map.present() && map.present() == prefix) {
            return null;
        }
        return map.ranges().stream().map(r -> List.of(r.start(), r.end())).toList();
    }

    private static PieceMap pieceMap(List<List<Long>> ranges, String name) {
        if (ranges == null) {
            return null;
        }
        List<PieceMap.Range> parsed = new ArrayList<>();
        for (List<Long> range : ranges) {
            if (range == null || range.size() != 2 || range.get(0) == null || range.get(1) == null) {
                throw new IllegalArgumentException(name + " must hold [start, end] pairs");
            }
            parsed.add(new PieceMap.Range(range.get(0), range.get(1)));
        }
        return PieceMap.of(parsed);
    }

    /** Writes the document: its fields in this order, those without a value left out. */
    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("schema_version", schemaVersion);
        text(g, "id", id);
        text(g, "url", url);
        text(g, "expected_sha256", expectedSha256);
        number(g, "expected_size", expectedSize);
        g.writeNumberField("bytes_downloaded", bytesDownloaded);
        number(g, "bytes_durable", bytesDurable);
        text(g, "boot_id", bootId);
        text(g, "temp_file_path", tempFilePath);
        text(g, "part_encoding", partEncoding);
        text(g, "header", header);
        number(g, "placed_size", placedSize);
        number(g, "reported_size", reportedSize);
        number(g, "bytes_reused", bytesReused);
        ranges(g, "pieces", pieces);
        ranges(g, "durable_pieces", durablePieces);
        text(g, "output_path", outputPath);
        text(g, "cipher", cipher);
        text(g, "state", state);
        g.writeNumberField("attempts", attempts);
        g.writeNumberField("restarts", restarts);
        text(g, "mismatched_sha256", mismatchedSha256);
        text(g, "next_attempt_at", nextAttemptAt);
        text(g, "last_error", lastError);
        text(g, "validator", validator);
        text(g, "validator_source", validatorSource);
        text(g, "created_at", createdAt);
        text(g, "updated_at", updatedAt);
        g.writeEndObject();
    }

    private static void text(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }

    private static void ranges(JsonGenerator g, String name, List<List<Long>> ranges) throws IOException {
        if (ranges == null) {
            return;
        }
        g.writeArrayFieldStart(name);
        for (List<Long> range : ranges) {
            g.writeStartArray();
            for (Long bound : range) {
                g.writeNumber(bound);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /** Reads one document, the parser before its first token. */
    static StateDocument read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "a state document is a JSON object");
        }
        int schemaVersion = 0;
        int attempts = 0;
        int restarts = 0;
        long bytesDownloaded = 0;
        String id = null;
        String url = null;
        String expectedSha256 = null;
        String tempFilePath = null;
        String outputPath = null;
        String cipher = null;
        String state = null;
        String nextAttemptAt = null;
        String lastError = null;
        String validator = null;
        String validatorSource = null;
        String createdAt = null;
        String updatedAt = null;
        String bootId = null;
        String partEncoding = null;
        String header = null;
        String mismatchedSha256 = null;
        Long expectedSize = null;
        Long bytesDurable = null;
        Long placedSize = null;
        Long reportedSize = null;
        Long bytesReused = null;
        List<List<Long>> pieces = null;
        List<List<Long>> durablePieces = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "schema_version" -> schemaVersion = intOrZero(p);
                case "id" -> id = text(p);
                case "url" -> url = text(p);
                case "expected_sha256" -> expectedSha256 = text(p);
                case "expected_size" -> expectedSize = longOrNull(p);
                case "bytes_downloaded" -> bytesDownloaded = longOrZero(p);
                case "temp_file_path" -> tempFilePath = text(p);
                case "output_path" -> outputPath = text(p);
                case "cipher" -> cipher = text(p);
                case "state" -> state = text(p);
                case "attempts" -> attempts = intOrZero(p);
                case "restarts" -> restarts = intOrZero(p);
                case "next_attempt_at" -> nextAttemptAt = text(p);
                case "last_error" -> lastError = text(p);
                case "validator" -> validator = text(p);
                case "validator_source" -> validatorSource = text(p);
                case "created_at" -> createdAt = text(p);
                case "updated_at" -> updatedAt = text(p);
                case "bytes_durable" -> bytesDurable = longOrNull(p);
                case "boot_id" -> bootId = text(p);
                case "part_encoding" -> partEncoding = text(p);
                case "header" -> header = text(p);
                case "placed_size" -> placedSize = longOrNull(p);
                case "pieces" -> pieces = ranges(p);
                case "durable_pieces" -> durablePieces = ranges(p);
                case "mismatched_sha256" -> mismatchedSha256 = text(p);
                case "reported_size" -> reportedSize = longOrNull(p);
                case "bytes_reused" -> bytesReused = longOrNull(p);
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonParseException(p, "the state document does not end where it should");
        }
        return new StateDocument(schemaVersion, id, url, expectedSha256, expectedSize, bytesDownloaded,
                tempFilePath, outputPath, cipher, state, attempts, restarts, nextAttemptAt, lastError, validator,
                validatorSource, createdAt, updatedAt, bytesDurable, bootId, partEncoding, header, placedSize, pieces,
                durablePieces, mismatchedSha256, reportedSize, bytesReused);
    }

    /** A string, or a number or true/false as written; null for null. */
    private static String text(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!token.isScalarValue()) {
            throw new JsonParseException(p, "field " + p.currentName() + " must be a string");
        }
        return p.getText();
    }

    /** An int field: 0 for null. */
    private static int intOrZero(JsonParser p) throws IOException {
        return whole(p, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L).intValue();
    }

    /** A long field: 0 for null. */
    private static long longOrZero(JsonParser p) throws IOException {
        return whole(p, Long.MIN_VALUE, Long.MAX_VALUE, 0L);
    }

    /** An optional long field: null for null. */
    private static Long longOrNull(JsonParser p) throws IOException {
        return whole(p, Long.MIN_VALUE, Long.MAX_VALUE, null);
    }

    /**
     * A whole number in {@code [min, max]}: written as a number (a fraction is dropped) or as a string of digits;
     * {@code ifNull} for null or an empty string.
     */
    private static Long whole(JsonParser p, long min, long max, Long ifNull) throws IOException {
        long value;
        switch (p.currentToken()) {
            case VALUE_NULL -> {
                return ifNull;
            }
            case VALUE_NUMBER_INT -> value = p.getLongValue();
            case VALUE_NUMBER_FLOAT -> {
                double number = p.getDoubleValue();
                if (!(number >= min && number <= max)) {
                    throw new JsonParseException(p, "field " + p.currentName() + " is out of range: " + number);
                }
                value = (long) number;
            }
            case VALUE_STRING -> {
                String text = p.getText().trim();
                if (text.isEmpty()) {
                    return ifNull;
                }
                value = Long.parseLong(text);
            }
            default -> throw new JsonParseException(p, "field " + p.currentName() + " must be a number");
        }
        if (value < min || value > max) {
            throw new JsonParseException(p, "field " + p.currentName() + " is out of range: " + value);
        }
        return value;
    }

    /** {@code [[start, end], ...]} as read, nulls and all (checked by {@link #pieceMap}); null for null. */
    private static List<List<Long>> ranges(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new JsonParseException(p, "field " + p.currentName() + " must be an array");
        }
        String name = p.currentName();
        List<List<Long>> ranges = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                ranges.add(null);
                continue;
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw new JsonParseException(p, "field " + name + " must hold arrays");
            }
            List<Long> range = new ArrayList<>(2);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                range.add(longOrNull(p));
            }
            ranges.add(range);
        }
        return ranges;
    }

    /** @throws IllegalArgumentException or NullPointerException when a field is missing or invalid */
    Download toDownload() {
        return Download.builder()
                .id(new DownloadId(id))
                .url(url)
                .expectedSha256(new Sha256(expectedSha256))
                .expectedSize(expectedSize == null ? OptionalLong.empty() : OptionalLong.of(expectedSize))
                .bytesDownloaded(bytesDownloaded)
                .partPath(required(tempFilePath, "temp_file_path"))
                .outputPath(required(outputPath, "output_path"))
                .cipher(CipherName.parse(cipher))
                .state(DownloadState.fromWireName(state))
                .attempts(attempts)
                .restarts(restarts)
                .mismatchedSha256(mismatchedSha256 == null ? null : new Sha256(mismatchedSha256))
                .nextAttemptAt(nextAttemptAt == null ? null : Instant.parse(nextAttemptAt))
                .lastError(lastError)
                .validator(validator == null ? null : new Validator(validator,
                        validatorSource == null ? url : validatorSource))
                .createdAt(Instant.parse(required(createdAt, "created_at")))
                .updatedAt(updatedAt == null ? null : Instant.parse(updatedAt))
                .bytesDurable(bytesDurable)
                .bootId(bootId)
                .partEncoding(encoding())
                .header(header)
                .placedSize(placedSize)
                .reportedSize(reportedSize)
                .bytesReused(bytesReused)
                .pieces(pieceMap(pieces, "pieces"))
                .durablePieces(pieceMap(durablePieces, "durable_pieces"))
                .build();
    }

    /** Schema 1 wrote the served bytes; for {@code none} they are the plain ones as well. */
    private PartEncoding encoding() {
        if (partEncoding != null) {
            return PartEncoding.fromWireName(partEncoding);
        }
        return schemaVersion < 2 && CipherName.parse(cipher) != CipherName.NONE ? PartEncoding.SERVED
                : PartEncoding.PLAIN;
    }

    private static String required(String value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("missing field " + name);
        }
        return value;
    }
}
