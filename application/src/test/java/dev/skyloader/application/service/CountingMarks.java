package dev.skyloader.application.service;

import dev.skyloader.domain.PieceMap;
import java.util.List;

/** Marks of a part written as a prefix: each batch reports the count it started at. */
final class CountingMarks implements Syncer.Marks {
    private final List<Long> durable;

    CountingMarks(List<Long> durable) {
        this.durable = durable;
    }

    @Override
    public PieceMap snapshot(long partBytes) {
        return PieceMap.prefixOf(partBytes);
    }

    @Override
    public void durable(PieceMap synced) {
        synchronized (durable) {
            durable.add(synced.present());
        }
    }
}
