package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.ListableContent.StoredObject;
import dev.strata.tier.metadata.SegmentCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Removes content that no metadata references: task and shared objects of appends, flushes or
 * compactions whose commit never happened (a crash, a database outage) and temporary files a crash
 * left behind. Each pass lists one
 * bounded page of keys after where the previous pass stopped, so no pass lists the whole bucket;
 * over successive passes every key is visited. An object is removed only when it is older than
 * {@code grace} (so an append still between its content write and its commit is never touched)
 * and metadata, asked right then, knows nothing of it. Thread-safe.
 */
public final class OrphanCollector {
    private final ListableContent content;
    private final SegmentCatalog catalog;
    private final Clock clock;
    private final Duration grace;
    private String cursor = "";

    public OrphanCollector(ListableContent content, SegmentCatalog catalog, Clock clock, Duration grace) {
        this.content = requireNonNull(content, "content is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.grace = requireNonNull(grace, "grace is null");
    }

    /** What one pass saw and did. */
    public record Pass(int listed, List<String> orphans, List<String> removed, boolean wrapped) {}

    /** Visits the next page of at most {@code pageSize} keys; removes the orphans among them when {@code remove}. */
    public synchronized Pass collect(int pageSize, Removal removal) {
        // Everything under the root: task objects (tasks/) and shared objects (shared/) alike.
        List<StoredObject> page = content.list("", cursor, pageSize);
        // A page holds at most MAX_PAGE keys whatever was asked: only a shorter one ends the listing.
        boolean wrapped = page.size() < Math.min(pageSize, ListableContent.MAX_PAGE);
        cursor = wrapped ? "" : page.get(page.size() - 1).key();
        List<String> orphans = orphansAmong(page, clock.instant().minus(grace));
        if (removal == Removal.REMOVE && !orphans.isEmpty()) {
            content.delete(orphans);
            return new Pass(page.size(), orphans, orphans, wrapped);
        }
        return new Pass(page.size(), orphans, List.of(), wrapped);
    }

    /** Whether a pass removes what it finds or only reports it. */
    public enum Removal {
        REMOVE,
        REPORT
    }

    /** The objects of a page that no metadata knows and that are older than {@code cutoff}. */
    List<String> orphansAmong(List<StoredObject> page, Instant cutoff) {
        Map<String, Set<Long>> knownByTask = new HashMap<>();
        List<String> orphans = new ArrayList<>();
        Map<Long, String> shared = new LinkedHashMap<>();
        for (StoredObject object : page) {
            if (!object.lastModified().isBefore(cutoff)) {
                continue;
            }
            OptionalLong sharedId = ContentKeys.parseShared(object.key());
            if (sharedId.isPresent()) {
                // A flush's object whose commit never happened (or recorded nothing): no tm_object
                // row, no live frame, not queued for deletion.
                shared.put(sharedId.getAsLong(), object.key());
                continue;
            }
            var parsed = ContentKeys.parse(object.key());
            if (parsed.isEmpty()) {
                // Leftovers of an interrupted local write; never a segment key, never referenced.
                if (object.key().contains(".seg.tmp-")) {
                    orphans.add(object.key());
                }
                continue;
            }
            Set<Long> known = knownByTask.computeIfAbsent(parsed.get().taskId(), catalog::knownObjects);
            if (!known.contains(parsed.get().objectId())) {
                orphans.add(object.key());
            }
        }
        if (!shared.isEmpty()) {
            Set<Long> known = catalog.knownSharedObjects(shared.keySet());
            shared.forEach((id, key) -> {
                if (!known.contains(id)) {
                    orphans.add(key);
                }
            });
        }
        return orphans;
    }
}
