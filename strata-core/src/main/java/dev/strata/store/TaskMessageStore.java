package dev.strata.store;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.CorruptContentException;
import dev.strata.model.InvalidInputException;
import dev.strata.model.MessagePage;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.model.TaskSummary;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task-message store: the one facade over the metadata, content and cache tiers.
 *
 * <p>Write path ({@link #append}): drop by type policy, skip seqs already stored, encode the rest
 * as one new immutable segment, make it durable in the content tier, then commit its metadata in
 * one transaction. The append returns only after both; until the commit, the segment is invisible.
 * Read path ({@link #list}): metadata says which segments hold the wanted messages; they come from
 * the cache or the content tier, are checked against their recorded checksum and decoded.
 *
 * <p>Thread-safe; holds no lock across tier I/O.
 */
public final class TaskMessageStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskMessageStore.class);

    private final MetadataTier metadata;
    private final ContentTier content;
    private final FailSafeSegmentCache cache;
    private final StoreOptions options;
    private final Clock clock;
    private final SegmentCodec codec;
    private final SegmentFetcher fetcher;
    private final Compaction compaction;
    private final TaskLog taskLog;
    private final List<TaskChangeListener> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public TaskMessageStore(
            MetadataTier metadata, ContentTier content, FailSafeSegmentCache cache, StoreOptions options, Clock clock) {
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.content = requireNonNull(content, "content is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.options = requireNonNull(options, "options is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.codec = new SegmentCodec(options.compressionLevel());
        this.fetcher = new SegmentFetcher(content, cache, codec, options.decodedCacheBytes());
        this.compaction = new Compaction(
                metadata,
                content,
                fetcher,
                codec,
                clock,
                options.replacedSegmentGrace(),
                options.maxMergedSegmentBytes());
        this.taskLog = new TaskLog(metadata.commitLog(), fetcher, options.maxPageBytes());
    }

    /** Registers a task so messages can be appended to it. Idempotent. */
    public void createTask(String taskId) {
        metadata.createTask(ContentKeys.requireValidTaskId(taskId), clock.instant());
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
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        Set<Long> seen = new HashSet<>();
        List<NewMessage> kept = new ArrayList<>(batch.size());
        for (NewMessage message : batch) {
            if (!seen.add(message.seq())) {
                throw new InvalidInputException("seq " + message.seq() + " occurs more than once in the batch");
            }
            if (!options.dropTypes().contains(message.type())) {
                kept.add(message);
            }
        }
        int dropped = batch.size() - kept.size();
        if (kept.isEmpty()) {
            return new AppendResult(0, 0, dropped);
        }
        Set<Long> stored =
                metadata.storedSeqs(task, kept.stream().map(NewMessage::seq).toList());
        Instant now = clock.instant();
        List<TaskMessage> fresh = new ArrayList<>(kept.size());
        for (NewMessage m : kept) {
            if (!stored.contains(m.seq())) {
                fresh.add(new TaskMessage(
                        messageId(taskId, m.seq()),
                        taskId,
                        m.seq(),
                        m.type(),
                        m.tool(),
                        m.callId(),
                        m.content(),
                        m.input(),
                        m.output(),
                        now));
            }
        }
        if (fresh.isEmpty()) {
            return new AppendResult(0, kept.size(), dropped);
        }
        int accepted = writeSegment(task, fresh);
        return new AppendResult(accepted, kept.size() - accepted, dropped);
    }

    /**
     * Imports messages that already have their ids and creation times (a migration from another
     * store) as one segment, with the same guarantees and first-write-wins rule as
     * {@link #append}; the drop policy is the caller's to apply.
     *
     * @return accepted (new) and duplicate counts
     * @throws InvalidInputException when a message is foreign, a seq occurs twice, or a type, tool
     *     or call id is outside the limits of {@link NewMessage}; nothing is imported then
     * @throws TaskNotFoundException when the task does not exist
     */
    public AppendResult importMessages(String taskId, List<TaskMessage> messages) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        Set<Long> seen = new HashSet<>();
        for (TaskMessage message : messages) {
            if (!message.taskId().equals(taskId) || !seen.add(message.seq())) {
                throw new InvalidInputException(
                        "import of task " + taskId + " has a foreign message or seq " + message.seq() + " twice");
            }
            try {
                NewMessage.requireValidNames(message.type(), message.tool(), message.callId());
            } catch (InvalidInputException e) {
                throw new InvalidInputException(
                        "import of task " + taskId + ", seq " + message.seq() + ": " + e.getMessage());
            }
        }
        if (messages.isEmpty()) {
            return new AppendResult(0, 0, 0);
        }
        Set<Long> stored = metadata.storedSeqs(
                task, messages.stream().map(TaskMessage::seq).toList());
        List<TaskMessage> fresh =
                messages.stream().filter(m -> !stored.contains(m.seq())).toList();
        int accepted = fresh.isEmpty() ? 0 : writeSegment(task, fresh);
        return new AppendResult(accepted, messages.size() - accepted, 0);
    }

    /**
     * Writes messages as one segment and commits them; the content is durable before metadata
     * points at it, so there is never metadata without content.
     *
     * @return how many of them were new (the rest lost a race with a concurrent append)
     */
    private int writeSegment(TaskRecord task, List<TaskMessage> messages) {
        SegmentCodec.Encoded encoded = codec.encode(messages);
        long objectId = ThreadLocalRandom.current().nextLong();
        String key = ContentKeys.segment(task.taskId(), objectId);
        content.put(key, encoded.bytes());
        List<MessageRow> rows = MessageRow.of(messages);
        // If the commit throws, the object stays: the commit may have succeeded before the error
        // reached us, and deleting content that metadata references would lose acknowledged data.
        // An uncommitted object is invisible and orphan collection removes it.
        // The commit proves the task is still the one read above, or answers TaskGone.
        CommitOutcome outcome = metadata.commit(
                task, new SegmentCommit(task.taskKey(), objectId, encoded.bytes().length, encoded.checksum(), rows));
        return switch (outcome) {
            case CommitOutcome.TaskGone gone -> {
                deleteUnreferenced(key);
                throw new TaskNotFoundException(task.taskId());
            }
            case CommitOutcome.Committed committed
            when committed.insertedSeqs().isEmpty() -> {
                deleteUnreferenced(key);
                yield 0;
            }
            case CommitOutcome.Committed committed -> {
                cache.put(key, encoded.bytes());
                changed(task.taskId());
                yield committed.insertedSeqs().size();
            }
        };
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
        try {
            return page(taskId, query);
        } catch (CorruptContentException e) {
            // A segment vanishing under a read means the task was deleted, or (after a very slow
            // read) compaction replaced the segment and its grace period ran out: look again once.
            // (A cache entry whose bytes fail verification never gets here: SegmentFetcher drops it
            // and reads the content tier.)
            return page(taskId, query);
        }
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
        long remaining = query.limit();
        MessageQuery next = query;
        while (true) {
            MessagePage page = list(taskId, next);
            page.messages().forEach(action);
            remaining -= page.messages().size();
            if (!page.hasMore() || page.messages().isEmpty() || remaining <= 0) {
                return;
            }
            next = next.after(page.messages().get(page.messages().size() - 1).seq())
                    .limitedTo(query.limit() == Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) remaining);
        }
    }

    private MessagePage page(String taskId, MessageQuery query) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        long wanted = query.limit() == Integer.MAX_VALUE ? Long.MAX_VALUE : query.limit() + 1L;
        var locations = metadata.locate(task, query, wanted);
        if (locations.isEmpty() && task.summary().messageCount() > 0 && !stillExists(task)) {
            // Deleted between the two reads (which are not one snapshot): answer as after the
            // delete, never with an empty page of a task that had messages.
            throw new TaskNotFoundException(taskId);
        }
        boolean hasMore = locations.size() > query.limit();
        if (hasMore) {
            locations = locations.subList(0, query.limit());
        }
        // The byte budget may cut the page earlier than the limit; the client pages on with since.
        SegmentFetcher.Fetched fetched = fetcher.messages(taskId, locations, options.maxPageBytes());
        return new MessagePage(fetched.messages(), hasMore || fetched.cut());
    }

    private boolean stillExists(TaskRecord task) {
        return metadata.task(task.taskId())
                .filter(now -> now.taskKey() == task.taskKey())
                .isPresent();
    }

    /** The tasks' messages in commit order, for live tails. */
    public TaskLog log() {
        return taskLog;
    }

    /** Adds a listener told after each commit, seal and delete (see {@link TaskChangeListener}). */
    public void addChangeListener(TaskChangeListener listener) {
        changeListeners.add(requireNonNull(listener, "listener is null"));
    }

    private void changed(String taskId) {
        for (TaskChangeListener listener : changeListeners) {
            try {
                listener.changed(taskId);
            } catch (RuntimeException e) {
                // A hint that failed only delays a live tail until its periodic catch-up.
                log.warn("change listener failed for task {}: {}", taskId, e.toString());
            }
        }
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
        if (!metadata.seal(taskId)) {
            throw new TaskNotFoundException(taskId);
        }
        changed(taskId);
    }

    /**
     * Deletes tasks: their metadata goes at once (reads fail with not found from then on) and
     * their content objects and cache entries are removed now, or by {@link #purgePendingDeletions}
     * later if the content tier is unavailable. Unknown ids are ignored.
     */
    public void delete(Collection<String> taskIds) {
        List<PendingDeletion> queued = metadata.deleteTasks(taskIds);
        taskIds.forEach(this::changed);
        purge(queued);
    }

    /**
     * Removes content queued for deletion whose time has come, in batches, until none is left or
     * the content tier refuses; run periodically.
     *
     * @return how many objects were removed
     */
    public int purgePendingDeletions() {
        int removed = 0;
        for (List<PendingDeletion> due = metadata.deletions().due(clock.instant(), 500);
                !due.isEmpty() && purge(due);
                due = metadata.deletions().due(clock.instant(), 500)) {
            removed += due.size();
        }
        return removed;
    }

    /** @return content objects still queued for deletion */
    public long pendingDeletions() {
        return metadata.deletions().size();
    }

    /** Checks every tier; a failing cache is reported, not thrown. */
    public Readiness readiness() {
        boolean metadataUp = up(metadata::check);
        boolean contentUp = up(content::check);
        if (cache.state() != FailSafeSegmentCache.State.DISABLED) {
            up(cache::check);
        }
        return new Readiness(metadataUp, contentUp, cache.state());
    }

    /** Which tiers answer. */
    public record Readiness(boolean metadata, boolean content, FailSafeSegmentCache.State cache) {
        public boolean ready() {
            return metadata && content;
        }
    }

    @Override
    public void close() {
        fetcher.close();
        cache.close();
        content.close();
        metadata.close();
    }

    private boolean purge(List<PendingDeletion> deletions) {
        if (deletions.isEmpty()) {
            return true;
        }
        List<String> keys = deletions.stream().map(PendingDeletion::objectKey).toList();
        try {
            content.delete(keys);
        } catch (BackendUnavailableException e) {
            log.warn("deferred deletion of {} objects (first {}): {}", keys.size(), keys.get(0), e.getMessage());
            return false;
        }
        cache.invalidate(keys);
        metadata.deletions()
                .complete(deletions.stream().map(PendingDeletion::deletionId).toList());
        return true;
    }

    private void deleteUnreferenced(String key) {
        try {
            content.delete(List.of(key));
        } catch (BackendUnavailableException e) {
            log.warn("could not remove unreferenced segment {}; orphan collection will: {}", key, e.getMessage());
        }
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
