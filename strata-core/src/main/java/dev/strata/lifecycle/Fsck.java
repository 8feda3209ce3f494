package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.store.CorruptContentException;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.ListableContent.StoredObject;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentCatalog.TaskSegments;
import dev.strata.tier.metadata.SegmentRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Cross-checks the tiers: every segment metadata references must exist in the content tier and
 * match its recorded checksum; every object must be known to metadata; queued deletions should be
 * finished; cache entries must equal the content. With repair, it removes orphans (re-asking
 * metadata right before each removal, so it never removes content metadata references), finishes
 * queued deletions and drops mismatching cache entries. Missing or corrupt content cannot be
 * repaired and is only reported.
 */
public final class Fsck {
    private static final int PAGE = 200;

    private final MetadataTier metadata;
    private final ContentTier content;
    private final ListableContent listing;
    private final SegmentCache cache;
    private final SegmentCodec codec;
    private final Clock clock;
    private final Duration orphanGrace;

    public Fsck(MetadataTier metadata, ContentTier content, ListableContent listing, SegmentCache cache, SegmentCodec codec,
                Clock clock, Duration orphanGrace) {
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.content = requireNonNull(content, "content is null");
        this.listing = requireNonNull(listing, "listing is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.orphanGrace = requireNonNull(orphanGrace, "orphanGrace is null");
    }

    /** Whether fsck repairs what it can or only reports. */
    public enum Mode { CHECK, REPAIR }

    /**
     * @param progress told the number of segments and objects checked so far
     */
    public FsckReport run(Mode mode, LongConsumer progress) {
        List<String> problems = new ArrayList<>();
        long tasks = 0;
        long segments = 0;
        long messages = 0;
        long missing = 0;
        long corrupt = 0;
        long cacheMismatches = 0;
        long cacheRemoved = 0;
        long checked = 0;
        String after = "";
        for (List<TaskSegments> page = metadata.catalog().segmentsAfter(after, PAGE); !page.isEmpty();
             page = metadata.catalog().segmentsAfter(after, PAGE)) {
            for (TaskSegments task : page) {
                tasks++;
                List<String> keys = task.segments().stream().map(SegmentRecord::objectKey).toList();
                Map<String, byte[]> cached = cache.getAll(keys);
                for (SegmentRecord segment : task.segments()) {
                    segments++;
                    messages += segment.messageCount();
                    Optional<byte[]> bytes = content.get(segment.objectKey());
                    if (bytes.isEmpty()) {
                        missing++;
                        problems.add("missing: " + segment.objectKey() + " (task " + task.taskId() + ", " + segment.messageCount() + " messages)");
                    } else if (!checksumMatches(bytes.get(), segment.checksum())) {
                        corrupt++;
                        problems.add("corrupt: " + segment.objectKey() + " (task " + task.taskId() + ")");
                    } else if (cached.containsKey(segment.objectKey()) && !Arrays.equals(cached.get(segment.objectKey()), bytes.get())) {
                        cacheMismatches++;
                        problems.add("cache mismatch: " + segment.objectKey());
                        if (mode == Mode.REPAIR) {
                            cache.invalidate(List.of(segment.objectKey()));
                            cacheRemoved++;
                        }
                    }
                    progress.accept(++checked);
                }
                after = task.taskId();
            }
        }

        long orphans = 0;
        long orphansRemoved = 0;
        OrphanCollector collector = new OrphanCollector(content, listing, metadata.catalog(), clock, orphanGrace);
        Instant cutoff = clock.instant().minus(orphanGrace);
        String cursor = "";
        for (List<StoredObject> page = listing.list("tasks/", cursor, 1000); !page.isEmpty(); page = listing.list("tasks/", cursor, 1000)) {
            for (String orphan : collector.orphansAmong(page, cutoff)) {
                orphans++;
                problems.add("orphan: " + orphan);
                if (mode == Mode.REPAIR) {
                    content.delete(List.of(orphan));
                    orphansRemoved++;
                }
            }
            checked += page.size();
            progress.accept(checked);
            cursor = page.get(page.size() - 1).key();
        }

        long pending = metadata.deletions().size();
        long finished = 0;
        if (pending > 0) {
            problems.add("pending deletions: " + pending);
            if (mode == Mode.REPAIR) {
                finished = finishDeletions();
            }
        }
        return new FsckReport(tasks, segments, messages, missing, corrupt, orphans, orphansRemoved, pending, finished,
                cacheMismatches, cacheRemoved, problems);
    }

    private boolean checksumMatches(byte[] bytes, int recorded) {
        try {
            return codec.verify(bytes) == recorded;
        } catch (CorruptContentException e) {
            return false;
        }
    }

    /** Finishes every queued deletion, including those still in their grace period. */
    private long finishDeletions() {
        long finished = 0;
        Instant everything = clock.instant().plus(Duration.ofDays(365_000));
        for (List<PendingDeletion> due = metadata.deletions().due(everything, 500); !due.isEmpty();
             due = metadata.deletions().due(everything, 500)) {
            content.delete(due.stream().map(PendingDeletion::objectKey).toList());
            cache.invalidate(due.stream().map(PendingDeletion::objectKey).toList());
            metadata.deletions().complete(due.stream().map(PendingDeletion::deletionId).toList());
            finished += due.size();
        }
        return finished;
    }
}
