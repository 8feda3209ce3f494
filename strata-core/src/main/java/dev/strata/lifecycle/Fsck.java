package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.CorruptContentException;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.DeletionPurger;
import dev.strata.store.Frame;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.ListableContent.StoredObject;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.SegmentCatalog.SegmentMismatch;
import dev.strata.tier.metadata.SegmentCatalog.TaskSegments;
import dev.strata.tier.metadata.SegmentRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Cross-checks the tiers: every segment metadata references must exist in the content tier,
 * match its recorded checksum and agree with the message rows pointing at it; every object must be
 * known to metadata; every store task must be known to the application ({@link KnownTasks});
 * queued deletions must not be overdue; no shared
 * object may hold live frames past the deletion bound (the shared segment TTL the compaction
 * scheduler runs with, plus the overdue margin); cache entries of live segments must match the
 * recorded checksum. With repair, it removes orphans and forgotten tasks older than the orphan
 * grace (re-asking right before each removal, so it never removes content metadata references),
 * finishes queued deletions that are due (all of them with {@link Mode#REPAIR_NOW}) and drops bad
 * cache entries. Missing or corrupt content cannot be repaired and is only reported. Deletions are
 * finished by {@link DeletionPurger}, as the store's worker does: when the content tier refuses,
 * they stay queued and count as left over. Not thread-safe: one run at a time per instance.
 */
public final class Fsck {
    /** How long past its due time a queued deletion may wait before it counts as overdue, unless configured. */
    public static final Duration DEFAULT_OVERDUE_MARGIN = Duration.ofMinutes(2);

    private static final int PAGE = 200;

    private final MetadataTier metadata;
    private final ListableContent content;
    private final SegmentCache cache;
    private final SegmentCodec codec;
    private final Clock clock;
    private final Duration orphanGrace;
    private final KnownTasks knownTasks;
    private final Duration overdueMargin;
    private final Duration sharedSegmentTtl;
    private final DeletionPurger purger;

    /**
     * An fsck for a store used without an application task record, with the default overdue margin
     * and shared segment TTL.
     */
    public Fsck(
            MetadataTier metadata,
            ListableContent content,
            SegmentCache cache,
            SegmentCodec codec,
            Clock clock,
            Duration orphanGrace) {
        this(
                metadata,
                content,
                cache,
                codec,
                clock,
                orphanGrace,
                KnownTasks.everyStoreTask(),
                DEFAULT_OVERDUE_MARGIN,
                CompactionScheduler.DEFAULT_SHARED_SEGMENT_TTL);
    }

    /**
     * @param orphanGrace how old an unreferenced object or a forgotten task must be before it is a problem
     * @param overdueMargin how long past its due time a queued deletion may still be waiting for the worker
     * @param sharedSegmentTtl the TTL the compaction scheduler consolidates shared frames after
     *     ({@code STRATA_SHARED_SEGMENT_TTL}): a shared object older than it plus the margin is past the bound
     */
    public Fsck(
            MetadataTier metadata,
            ListableContent content,
            SegmentCache cache,
            SegmentCodec codec,
            Clock clock,
            Duration orphanGrace,
            KnownTasks knownTasks,
            Duration overdueMargin,
            Duration sharedSegmentTtl) {
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.content = requireNonNull(content, "content is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.orphanGrace = requireNonNull(orphanGrace, "orphanGrace is null");
        this.knownTasks = requireNonNull(knownTasks, "knownTasks is null");
        this.overdueMargin = requireNonNull(overdueMargin, "overdueMargin is null");
        if (overdueMargin.isNegative()) {
            throw new IllegalArgumentException("overdueMargin must not be negative, got " + overdueMargin);
        }
        this.sharedSegmentTtl = requireNonNull(sharedSegmentTtl, "sharedSegmentTtl is null");
        if (!sharedSegmentTtl.isPositive()) {
            throw new IllegalArgumentException("sharedSegmentTtl must be positive, got " + sharedSegmentTtl);
        }
        this.purger = new DeletionPurger(content, cache, metadata.deletions(), clock);
    }

    /** Whether fsck repairs what it can or only reports. */
    public enum Mode {
        /** Report only. */
        CHECK,
        /** Repair what is safe now; deletions still inside their grace period (compaction's replaced segments) wait. */
        REPAIR,
        /** Repair, and also finish deletions still inside their grace period. */
        REPAIR_NOW
    }

    /**
     * @param progress told the number of segments and objects checked so far
     */
    public FsckReport run(Mode mode, LongConsumer progress) {
        requireNonNull(mode, "mode is null");
        Tally tally = new Tally();
        checkSegments(mode, tally, progress);
        checkObjects(mode, tally, progress);
        checkDeletions(mode, tally);
        return new FsckReport(
                tally.tasks,
                tally.segments,
                tally.messages,
                tally.missing,
                tally.corrupt,
                tally.segmentMismatches,
                tally.orphans,
                tally.orphansRemoved,
                tally.forgotten,
                tally.forgottenRemoved,
                tally.scheduled,
                tally.overdue,
                tally.finished,
                tally.overdueLeft,
                tally.cacheMismatches,
                tally.cacheRemoved,
                tally.problems);
    }

    private void checkSegments(Mode mode, Tally tally, LongConsumer progress) {
        String after = "";
        for (List<TaskSegments> page = metadata.catalog().segmentsAfter(after, PAGE);
                !page.isEmpty();
                page = metadata.catalog().segmentsAfter(after, PAGE)) {
            for (TaskSegments task : page) {
                tally.tasks++;
                checkTask(mode, task, tally);
                progress.accept(tally.checked);
                after = task.taskId();
            }
            List<String> taskIds = page.stream().map(TaskSegments::taskId).toList();
            checkSegmentRows(taskIds, tally);
            checkForgotten(mode, taskIds, tally);
        }
    }

    /** Segment rows against message rows, both read at once (the tasks may have changed since their segments were read). */
    private void checkSegmentRows(List<String> taskIds, Tally tally) {
        for (SegmentMismatch mismatch : metadata.catalog().segmentMismatches(taskIds)) {
            tally.segmentMismatches++;
            tally.problems.add("segment mismatch: " + mismatch.describe());
        }
    }

    private void checkTask(Mode mode, TaskSegments task, Tally tally) {
        List<String> keys = task.segments().stream()
                .map(segment -> ContentSegmentKeys.frame(segment).cacheKey())
                .toList();
        Map<String, byte[]> cached = keys.isEmpty() ? Map.of() : cache.getAll(keys);
        for (SegmentRecord segment : task.segments()) {
            tally.segments++;
            tally.messages += segment.messageCount();
            tally.checked++;
            Frame frame = ContentSegmentKeys.frame(segment);
            // Problems name the object, and the frame's offset when it is not the object's first.
            String key = frame.offset() == 0 ? frame.objectKey() : frame.cacheKey();
            Optional<byte[]> bytes = readFrame(frame);
            if (bytes.isEmpty()) {
                tally.missing++;
                tally.problems.add(
                        "missing: " + key + " (task " + task.taskId() + ", " + segment.messageCount() + " messages)");
            } else if (!checksumMatches(bytes.get(), segment.checksum())) {
                tally.corrupt++;
                tally.problems.add("corrupt: " + key + " (task " + task.taskId() + ")");
            }
            // Judged against the checksum metadata recorded, not against the content tier, so a bad
            // entry is found even where the content itself is missing or corrupt.
            byte[] entry = cached.get(frame.cacheKey());
            if (entry != null && !checksumMatches(entry, segment.checksum())) {
                tally.cacheMismatches++;
                tally.problems.add("cache mismatch: " + frame.cacheKey());
                if (mode != Mode.CHECK) {
                    cache.invalidate(List.of(frame.cacheKey()));
                    tally.cacheRemoved++;
                }
            }
        }
    }

    /** The frame's bytes; a frame reaching past its object's end counts as missing bytes, so as corrupt. */
    private Optional<byte[]> readFrame(Frame frame) {
        try {
            return content.get(frame.objectKey(), frame.offset(), frame.length());
        } catch (CorruptContentException e) {
            return Optional.of(new byte[0]);
        }
    }

    /** Store tasks the application forgot: unreachable through it, so their rows and objects are garbage. */
    private void checkForgotten(Mode mode, List<String> taskIds, Tally tally) {
        Set<String> forgotten = knownTasks.forgotten(taskIds, clock.instant().minus(orphanGrace));
        if (forgotten.isEmpty()) {
            return;
        }
        forgotten.stream()
                .sorted()
                .forEach(taskId -> tally.problems.add("forgotten task: " + taskId + " (unknown to the application)"));
        tally.forgotten += forgotten.size();
        if (mode != Mode.CHECK) {
            // Asked again right before the removal, as for orphans.
            Set<String> confirmed =
                    knownTasks.forgotten(forgotten, clock.instant().minus(orphanGrace));
            purger.purge(metadata.deleteTasks(confirmed));
            tally.forgottenRemoved += confirmed.size();
        }
    }

    private void checkObjects(Mode mode, Tally tally, LongConsumer progress) {
        OrphanCollector collector = new OrphanCollector(content, metadata.catalog(), clock, orphanGrace);
        String cursor = "";
        for (List<StoredObject> page = content.list("", cursor, 1000);
                !page.isEmpty();
                page = content.list("", cursor, 1000)) {
            List<String> orphans = collector.orphansAmong(page);
            orphans.forEach(orphan -> tally.problems.add("orphan: " + orphan));
            tally.orphans += orphans.size();
            if (mode != Mode.CHECK) {
                // Shared orphans are claimed and queued; checkDeletions, which runs next, removes them.
                tally.orphansRemoved += collector.remove(orphans).size();
            }
            tally.checked += page.size();
            progress.accept(tally.checked);
            cursor = page.get(page.size() - 1).key();
        }
    }

    /**
     * Deletions inside their grace period, or due so recently that the worker has not had its turn,
     * are scheduled work, not problems: only those due for longer than the margin are.
     */
    private void checkDeletions(Mode mode, Tally tally) {
        Instant now = clock.instant();
        Instant overdueCutoff = now.minus(overdueMargin);
        long pending = metadata.deletions().size();
        tally.overdue = metadata.deletions().countDue(overdueCutoff);
        tally.scheduled = Math.max(0, pending - tally.overdue);
        if (tally.overdue > 0) {
            tally.problems.add("overdue deletions: " + tally.overdue + " (due for more than " + overdueMargin + ")");
        }
        // The deletion bound (docs/storage.md): a shared object still holding a live frame this
        // long after it was written means consolidation is not keeping up or not running.
        Instant bound = now.minus(sharedSegmentTtl).minus(overdueMargin);
        metadata.catalog()
                .oldestSharedObject()
                .filter(oldest -> oldest.isBefore(bound))
                .ifPresent(oldest ->
                        tally.problems.add("shared objects past the deletion bound: the oldest was written at "
                                + oldest + ", more than "
                                + sharedSegmentTtl.plus(overdueMargin)
                                + " ago"));
        switch (mode) {
            case CHECK -> tally.overdueLeft = tally.overdue;
            case REPAIR -> tally.finished = purger.purgeDue(DeletionPurger.Due.ON_SCHEDULE);
            case REPAIR_NOW -> tally.finished = purger.purgeDue(DeletionPurger.Due.ALL_NOW);
        }
        if (mode != Mode.CHECK) {
            tally.overdueLeft = metadata.deletions().countDue(overdueCutoff);
        }
    }

    private boolean checksumMatches(byte[] bytes, int recorded) {
        try {
            return codec.verify(bytes) == recorded;
        } catch (CorruptContentException e) {
            return false;
        }
    }

    /** Counters of one run. */
    private static final class Tally {
        final List<String> problems = new ArrayList<>();
        long tasks;
        long segments;
        long messages;
        long missing;
        long corrupt;
        long segmentMismatches;
        long cacheMismatches;
        long cacheRemoved;
        long forgotten;
        long forgottenRemoved;
        long orphans;
        long orphansRemoved;
        long scheduled;
        long overdue;
        long finished;
        long overdueLeft;
        long checked;
    }
}
