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
 * left behind. Each pass lists every shared object (consolidation keeps them few) and one bounded
 * page of the other keys after where the previous pass stopped, so no pass lists the whole bucket;
 * over successive passes every key is visited. An object is removed only when metadata, asked
 * right then, knows nothing of it, and only when it is older than {@code grace} (so an append still
 * between its content write and its commit is never touched).
 *
 * <p>A shared object may hold a deleted task's bytes, which must leave the content tier within the
 * deletion bound (docs/storage.md), so an unreferenced one waits at most {@link #SHARED_GRACE}. That
 * is safe however late its flush's commit comes, because a shared object is never removed directly:
 * it is claimed in metadata and queued for deletion ({@link SegmentCatalog#claimOrphans}),
 * and a commit that comes after the claim fails instead of pointing at it. Thread-safe.
 */
public final class OrphanCollector {
    /**
     * The longest an unreferenced shared object is kept: a flush slower than this between its put
     * and its commit fails (503) and is retried. Ages are the content tier's modification times
     * against this instance's clock, so a clock more than this ahead of the object store's would
     * fail flushes (never lose data); S3 itself refuses requests signed more than 15 minutes off.
     */
    public static final Duration SHARED_GRACE = Duration.ofMinutes(10);

    /**
     * How long a claim outlives its object: a commit that comes later than this after its flush's
     * object was claimed would no longer be fenced out. Claims are rare (failed flushes), so they
     * may as well be kept far longer than any transaction can stay open.
     */
    static final Duration CLAIM_LIFETIME = Duration.ofDays(1);

    private final ListableContent content;
    private final SegmentCatalog catalog;
    private final Clock clock;
    private final Duration grace;
    private final Duration sharedGrace;
    private String cursor = "";

    public OrphanCollector(ListableContent content, SegmentCatalog catalog, Clock clock, Duration grace) {
        this.content = requireNonNull(content, "content is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.grace = requireNonNull(grace, "grace is null");
        this.sharedGrace = grace.compareTo(SHARED_GRACE) < 0 ? grace : SHARED_GRACE;
    }

    /**
     * What one pass saw and did.
     *
     * @param removed the orphans removed, or (shared objects) claimed and queued for the deletion worker
     */
    public record Pass(int listed, List<String> orphans, List<String> removed, boolean wrapped) {}

    /**
     * Visits every shared object and the next page of at most {@code pageSize} other keys; removes
     * the orphans among them when {@code removal} says so.
     */
    public synchronized Pass collect(int pageSize, Removal removal) {
        List<StoredObject> visited = new ArrayList<>(content.listAll(ContentKeys.SHARED));
        List<StoredObject> page = content.list("", cursor, pageSize);
        // A page holds at most MAX_PAGE keys whatever was asked: only a shorter one ends the listing.
        boolean wrapped = page.size() < Math.min(pageSize, ListableContent.MAX_PAGE);
        cursor = wrapped ? "" : page.get(page.size() - 1).key();
        page.stream()
                .filter(object -> !object.key().startsWith(ContentKeys.SHARED))
                .forEach(visited::add);
        List<String> orphans = orphansAmong(visited);
        if (removal == Removal.REMOVE) {
            catalog.forgetClaimsBefore(clock.instant().minus(CLAIM_LIFETIME));
            return new Pass(visited.size(), orphans, remove(orphans), wrapped);
        }
        return new Pass(visited.size(), orphans, List.of(), wrapped);
    }

    /** Whether a pass removes what it finds or only reports it. */
    public enum Removal {
        REMOVE,
        REPORT
    }

    /**
     * Removes orphans {@link #orphansAmong} found: objects of one task and leftovers at once, shared
     * objects by claiming them for the deletion worker, unless a commit recorded them meanwhile.
     *
     * @return the orphans removed or claimed
     */
    public List<String> remove(List<String> orphans) {
        List<String> removed = new ArrayList<>();
        List<String> shared = new ArrayList<>();
        for (String key : orphans) {
            (ContentKeys.parseShared(key).isPresent() ? shared : removed).add(key);
        }
        if (!removed.isEmpty()) {
            content.delete(removed);
        }
        catalog.claimOrphans(shared).forEach(claimed -> removed.add(claimed.objectKey()));
        return removed;
    }

    /** The objects among {@code objects} that no metadata knows and that are past their grace. */
    public List<String> orphansAmong(List<StoredObject> objects) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(grace);
        Instant sharedCutoff = now.minus(sharedGrace);
        Map<String, Set<Long>> knownByTask = new HashMap<>();
        List<String> orphans = new ArrayList<>();
        Map<Long, String> shared = new LinkedHashMap<>();
        for (StoredObject object : objects) {
            OptionalLong sharedId = ContentKeys.parseShared(object.key());
            if (sharedId.isPresent()) {
                // A flush's object whose commit never happened (or recorded nothing): no tm_object
                // row, no live frame, not queued for deletion.
                if (object.lastModified().isBefore(sharedCutoff)) {
                    shared.put(sharedId.getAsLong(), object.key());
                }
                continue;
            }
            if (!object.lastModified().isBefore(cutoff)) {
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
