package dev.skyloader.application.port.in;

import static java.util.Objects.requireNonNull;

import dev.skyloader.application.port.in.DownloadResult.Outcome;
import java.util.List;
import java.util.Optional;

/**
 * How a sync ended: one item per entry, in the manifest's order.
 *
 * @param outcome complete when every item is; failed when any failed for good; else not finished
 * @param message one line for the operator
 * @param items   each entry's own ending
 */
public record SyncResult(Outcome outcome, String message, List<Item> items) {
    /**
     * @param status the download that brought the bytes (for a duplicate, the entry it was fetched as); empty when
     *               the run stopped before it began
     */
    public record Item(String name, String outputPath, Outcome outcome, String message,
                       Optional<DownloadStatus> status) {
        public Item {
            requireNonNull(name, "name is null");
            requireNonNull(outputPath, "outputPath is null");
            requireNonNull(outcome, "outcome is null");
            requireNonNull(message, "message is null");
            requireNonNull(status, "status is null");
        }
    }

    public SyncResult {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(message, "message is null");
        items = List.copyOf(requireNonNull(items, "items is null"));
    }

    /** The outcome of a set of items: any failure is a failure; then anything unfinished; else complete. */
    public static Outcome overall(List<Item> items) {
        if (items.stream().anyMatch(i -> i.outcome() == Outcome.FAILED)) {
            return Outcome.FAILED;
        }
        if (items.stream().anyMatch(i -> i.outcome() == Outcome.NOT_FINISHED)) {
            return Outcome.NOT_FINISHED;
        }
        return Outcome.COMPLETE;
    }
}
