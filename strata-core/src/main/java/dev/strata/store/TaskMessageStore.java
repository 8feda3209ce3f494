package dev.strata.store;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.InvalidInputException;
import dev.strata.model.MessagePage;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.model.TaskSummary;
import dev.strata.tier.cache.CacheHealth;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.ListableContent.StoredObject;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.TaskRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task-message store: the one facade over the metadata, content and cache tiers.
 *
 * <p>Write path ({@link #append}, in {@link Appender} and {@link Flusher}): drop by type policy,
 * skip seqs already stored, encode the rest as one immutable frame; a flush writes the frames of
 * all waiting appends as one shared object, makes it durable in the content tier, then commits
 * their metadata in one transaction. The append returns only after both; until the commit, the
 * frame is invisible. Read path ({@link #list}, in {@link MessageReader}): metadata says
 * which segments hold the wanted messages; they come from the cache or the content tier, are
 * checked against their recorded checksum and decoded. Deletion: {@link DeletionPurger}.
 *
 * <p>The store does not own its tiers: whoever created them closes them, after the store. The
 * cache must absorb its own failures (the composition root wraps it in
 * {@link dev.strata.tier.cache.FailSafeSegmentCache}). Thread-safe; holds no lock across tier I/O.
 */
public final class TaskMessageStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskMessageStore.class);

    private final MetadataTier metadata;
    private final ContentTier content;
    private final SegmentCache cache;
    private final Clock clock;
    private final SegmentFetcher fetcher;
    private final Flusher flusher;
    private final Appender appender;
    private final MessageReader reader;
    private final Compaction compaction;
    private final DeletionPurger purger;
    private final TaskLog taskLog;
    private final ChangeListeners changeListeners = new ChangeListeners();

    /**
     * @param cache a cache that never throws (see {@link dev.strata.tier.cache.FailSafeSegmentCache}),
     *     or {@link dev.strata.tier.cache.NoSegmentCache}
     */
    public TaskMessageStore(
            MetadataTier metadata, ContentTier content, SegmentCache cache, StoreOptions options, Clock clock) {
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.content = requireNonNull(content, "content is null");
        this.cache = requireNonNull(cache, "cache is null");
        requireNonNull(options, "options is null");
        this.clock = requireNonNull(clock, "clock is null");
        SegmentCodec codec = new SegmentCodec(options.compressionLevel());
        SegmentWriter writer = new SegmentWriter(content);
        this.fetcher = new SegmentFetcher(content, cache, codec, options.decodedCacheBytes());
        this.flusher = new Flusher(
                content,
                metadata,
                cache,
                changeListeners::changed,
                options.flushMaxBytes(),
                options.flushMaxDelay(),
                options.flushConcurrency());
        this.appender = new Appender(metadata, flusher, codec, options.dropTypes(), clock);
        this.reader = new MessageReader(metadata, fetcher, options.maxPageBytes());
        this.compaction = new Compaction(
                metadata,
                writer,
                fetcher,
                codec,
                clock,
                options.replacedSegmentGrace(),
                options.maxMergedSegmentBytes());
        this.purger = new DeletionPurger(content, cache, metadata.deletions(), clock);
        this.taskLog = new TaskLog(metadata.commitLog(), fetcher, options.maxPageBytes());
    }

    /** Registers a task so messages can be appended to it. Idempotent. */
    public void createTask(String taskId) {
        createTasks(List.of(taskId));
    }

    /** Registers tasks so messages can be appended to them, in one metadata transaction. Idempotent. */
    public void createTasks(Collection<String> taskIds) {
        taskIds.forEach(ContentKeys::requireValidTaskId);
        metadata.createTasks(taskIds, clock.instant());
    }

    /** @return the task's counters, or empty when the task does not exist */
    public Optional<TaskSummary> task(String taskId) {
        return metadata.task(taskId).map(TaskRecord::summary);
    }

    /**
     * Appends a batch to a task. Returns only when every accepted message is durable in the
     * content tier and committed in metadata; on any exception nothing of the batch became
     * visible and the whole call may be retried.
     *
     * @throws InvalidInputException when a seq occurs twice in the batch
     * @throws TaskNotFoundException when the task does not exist
     * @throws BackendUnavailableException when a tier fails
     */
    public AppendResult append(String taskId, List<NewMessage> batch) {
        requireNonNull(batch, "batch is null");
        return appender.append(taskId, batch);
    }

    /**
     * Imports messages that already have their ids and creation times (a migration from another
     * store) as one segment, with the same guarantees and first-write-wins rule as
     * {@link #append}; the drop policy is the caller's to apply.
     *
     * @return accepted (new) and duplicate counts
     * @throws InvalidInputException when a message is foreign, a seq occurs twice or is out of range,
     *     or a type, tool or call id is outside the limits of {@link NewMessage}; nothing is imported then
     * @throws TaskNotFoundException when the task does not exist
     */
    public AppendResult importMessages(String taskId, List<TaskMessage> messages) {
        return appender.importMessages(taskId, messages);
    }

    /**
     * Lists a task's messages in seq order: at most the query's limit, and no more decoded bytes
     * than {@link StoreOptions#maxPageBytes} (but always at least one message). When either cut
     * the list, the page says it has more; the next page starts after its last seq.
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public MessagePage list(String taskId, MessageQuery query) {
        requireNonNull(query, "query is null");
        return reader.list(taskId, query);
    }

    /**
     * Hands every message the query matches (up to its limit) to {@code action}, in seq order,
     * one page of at most {@link StoreOptions#maxPageBytes} at a time: for callers that want a
     * whole task without holding more than a page of it at once.
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public void forEachMessage(String taskId, MessageQuery query, Consumer<TaskMessage> action) {
        requireNonNull(action, "action is null");
        reader.forEachMessage(taskId, query, action);
    }

    /** The tasks' messages in commit order, for live tails. */
    public TaskLog log() {
        return taskLog;
    }

    /** Adds a listener told after each commit, seal and delete (see {@link TaskChangeListener}). */
    public void addChangeListener(TaskChangeListener listener) {
        changeListeners.add(listener);
    }

    /**
     * Merges the task's segments into one object, or several when its decoded messages exceed
     * {@link StoreOptions#maxMergedSegmentBytes} (see {@link Compaction}).
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public CompactionResult compact(String taskId) {
        return compaction.compact(taskId);
    }

    /** @return tasks worth compacting: sealed with several segments, or open with more than {@code maxOpenSegments} */
    public List<String> compactionCandidates(int maxOpenSegments, int limit) {
        return metadata.catalog().compactionCandidates(maxOpenSegments, limit);
    }

    /**
     * @return tasks with a frame in a shared object older than {@code age} (by the store's clock),
     *     oldest first: consolidating them empties the shared objects, so that a deleted task's bytes
     *     never outlive the bound (see {@link dev.strata.lifecycle.CompactionScheduler})
     */
    public List<String> consolidationCandidates(java.time.Duration age, int limit) {
        return metadata.catalog().sharedFramesBefore(clock.instant().minus(age), limit);
    }

    /** @return per existing task, its stored message count per type */
    public Map<String, Map<String, Long>> countByType(Collection<String> taskIds) {
        return metadata.countByType(taskIds);
    }

    /**
     * Marks the task ended. Late appends (a daemon's last flush racing its completion) are still accepted.
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public void seal(String taskId) {
        seal(List.of(taskId));
    }

    /**
     * Marks tasks ended, in one metadata transaction.
     *
     * @throws TaskNotFoundException when one of them does not exist (the others are sealed)
     */
    public void seal(Collection<String> taskIds) {
        Set<String> sealed = metadata.seal(taskIds);
        sealed.forEach(changeListeners::changed);
        for (String taskId : taskIds) {
            if (!sealed.contains(taskId)) {
                throw new TaskNotFoundException(taskId);
            }
        }
    }

    /**
     * Deletes tasks: their metadata goes at once (reads fail with not found from then on) and
     * their content objects and cache entries are removed now, or by {@link #purgePendingDeletions}
     * later if the content tier is unavailable. Unknown ids are ignored.
     */
    public void delete(Collection<String> taskIds) {
        // Frames in shared objects outlive the delete (the object holds other tasks' frames too),
        // so their cache entries are dropped here; an append racing the delete can only add an
        // entry no metadata points at any more, which the cache's expiry removes.
        List<String> frames = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (String taskId : taskIds) {
            metadata.task(taskId).ifPresent(task -> {
                existing.add(taskId);
                metadata.catalog().segments(task).stream()
                        .map(segment -> ContentSegmentKeys.frame(segment).cacheKey())
                        .forEach(frames::add);
            });
        }
        var queued = metadata.deleteTasks(taskIds);
        taskIds.forEach(changeListeners::changed);
        cache.invalidate(frames);
        purger.purge(queued);
        removeUnrecorded(existing);
    }

    /**
     * Removes what deleted tasks left under their prefixes that metadata never recorded: the object
     * of a compaction whose commit failed would otherwise keep a task's bytes until orphan
     * collection's {@code STRATA_ORPHAN_GRACE}, past the deletion bound. Each is claimed first
     * ({@link dev.strata.tier.metadata.SegmentCatalog#claimOrphans}), so a compaction (of a task
     * recreated under the same id) that commits later fails instead of pointing at a removed
     * object. Best effort: when a tier refuses, orphan collection removes them later.
     */
    private void removeUnrecorded(Collection<String> taskIds) {
        if (!(content instanceof ListableContent listable)) {
            return;
        }
        try {
            List<String> unrecorded = new ArrayList<>();
            for (String taskId : taskIds) {
                Set<Long> known = metadata.catalog().knownObjects(taskId);
                for (StoredObject object : listable.listAll(ContentKeys.taskPrefix(taskId))) {
                    ContentKeys.parse(object.key())
                            .filter(key -> !known.contains(key.objectId()))
                            .ifPresent(key -> unrecorded.add(object.key()));
                }
            }
            purger.purge(metadata.catalog().claimOrphans(unrecorded));
        } catch (BackendUnavailableException e) {
            log.warn("left unrecorded objects of deleted tasks to orphan collection: {}", e.getMessage());
        }
    }

    /**
     * Removes content queued for deletion whose time has come, in batches, until none is left or
     * the content tier refuses; run periodically.
     *
     * @return how many objects were removed
     */
    public int purgePendingDeletions() {
        return Math.toIntExact(purger.purgeDue(DeletionPurger.Due.ON_SCHEDULE));
    }

    /** @return content objects still queued for deletion */
    public long pendingDeletions() {
        return metadata.deletions().size();
    }

    /** @return appends waiting for the next flush right now, for tests and diagnostics */
    int queuedAppends() {
        return flusher.queued();
    }

    /** Checks every tier; a failing cache is reported, not thrown. */
    public Readiness readiness() {
        boolean metadataUp = up(metadata::check);
        boolean contentUp = up(content::check);
        return new Readiness(metadataUp, contentUp, cache.health());
    }

    /** Which tiers answer. */
    public record Readiness(boolean metadata, boolean content, CacheHealth cache) {
        public boolean ready() {
            return metadata && content;
        }
    }

    /**
     * Stops the store's own flush and read threads (flushes in progress finish, appends still
     * queued fail as unavailable); the tiers stay open (their creator closes them).
     */
    @Override
    public void close() {
        flusher.close();
        fetcher.close();
    }

    private static boolean up(Runnable check) {
        try {
            check.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A message's stable id: derived from its task and seq, so every tier, every replay and every
     * later rewrite of its segment agree on it without storing it in metadata.
     */
    public static String messageId(String taskId, long seq) {
        return UUID.nameUUIDFromBytes((taskId + "\u0000" + seq).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
