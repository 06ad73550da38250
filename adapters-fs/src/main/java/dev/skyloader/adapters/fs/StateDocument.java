package dev.skyloader.adapters.fs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.skyloader.domain.CipherName;
import dev.skyloader.domain.Download;
import dev.skyloader.domain.DownloadId;
import dev.skyloader.domain.DownloadState;
import dev.skyloader.domain.PartEncoding;
import dev.skyloader.domain.Sha256;
import dev.skyloader.domain.Validator;
import dev.skyloader.domain.PieceMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The state file as it is on disk: the specification's snake_case names. Unknown fields are ignored, so a document
 * written by a newer version with extra fields still loads; a newer {@code schema_version} does not.
 * There is no field for the key: it never reaches the disk.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"schema_version", "id", "url", "expected_sha256", "expected_size", "bytes_downloaded",
        "bytes_durable", "boot_id", "temp_file_path", "part_encoding", "header", "placed_size", "reported_size", "bytes_reused", "pieces",
        "durable_pieces", "output_path", "cipher", "state", "attempts", "restarts", "mismatched_sha256", "next_attempt_at", "last_error",
        "validator", "validator_source", "created_at", "updated_at"})
record StateDocument(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("id") String id,
        @JsonProperty("url") String url,
        @JsonProperty("expected_sha256") String expectedSha256,
        @JsonProperty("expected_size") Long expectedSize,
        @JsonProperty("bytes_downloaded") long bytesDownloaded,
        @JsonProperty("temp_file_path") String tempFilePath,
        @JsonProperty("output_path") String outputPath,
        @JsonProperty("cipher") String cipher,
        @JsonProperty("state") String state,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("restarts") int restarts,
        @JsonProperty("next_attempt_at") String nextAttemptAt,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("validator") String validator,
        @JsonProperty("validator_source") String validatorSource,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("updated_at") String updatedAt,
        @JsonProperty("bytes_durable") Long bytesDurable,
        @JsonProperty("boot_id") String bootId,
        @JsonProperty("part_encoding") String partEncoding,
        @JsonProperty("header") String header,
        @JsonProperty("placed_size") Long placedSize,
        @JsonProperty("pieces") List<List<Long>> pieces,
        @JsonProperty("durable_pieces") List<List<Long>> durablePieces,
        @JsonProperty("mismatched_sha256") String mismatchedSha256,
        @JsonProperty("reported_size") Long reportedSize,
        @JsonProperty("bytes_reused") Long bytesReused) {

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
