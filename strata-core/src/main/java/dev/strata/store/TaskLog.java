package dev.strata.store;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.model.MissingContentException;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.CommitLog.CommitPosition;
import dev.strata.tier.metadata.CommitLog.CommittedLocation;
import dev.strata.tier.metadata.TaskRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A task's messages in commit order, for live tails (see {@link CommitLog} for why commit order
 * is gap-free). Reads from the store's tiers like {@link TaskMessageStore#list}. Thread-safe.
 */
public final class TaskLog {
    private final CommitLog log;
    private final SegmentFetcher fetcher;
    private final long maxPageBytes;

    TaskLog(CommitLog log, SegmentFetcher fetcher, long maxPageBytes) {
        this.log = requireNonNull(log, "log is null");
        this.fetcher = requireNonNull(fetcher, "fetcher is null");
        this.maxPageBytes = maxPageBytes;
    }

    /** A message and the number of the commit that stored it. */
    public record CommittedMessage(long commitNo, TaskMessage message) {
        public CommittedMessage {
            requireNonNull(message, "message is null");
        }
    }

    /** @return the highest commit number of the task visible now, or empty when the task does not exist */
    public Optional<Long> horizon(String taskId) {
        return log.horizon(taskId).map(CommitLog.CommitHorizon::commitNo);
    }

    /**
     * Messages matching {@code query} (after its seq, its type filters) committed at or below
     * {@code maxCommitNo}, in seq order, at most {@code limit} and at most the store's page byte
     * budget (at least one message): only an empty result means there is nothing more.
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public List<CommittedMessage> upTo(String taskId, MessageQuery query, long maxCommitNo, int limit) {
        return read(taskId, task -> log.upTo(task, query, maxCommitNo, limit));
    }

    /**
     * Messages matching {@code query} (after its seq, its type filters) whose (commit number, seq) is
     * after ({@code commitNo}, {@code seq}), in that order, at most {@code limit} and at most the
     * store's page byte budget (at least one message): only an empty result means there is nothing more.
     *
     * @throws TaskNotFoundException when the task does not exist
     */
    public List<CommittedMessage> after(String taskId, MessageQuery query, long commitNo, long seq, int limit) {
        return read(taskId, task -> log.after(task, query, new CommitPosition(commitNo, seq), limit));
    }

    private interface Locator {
        List<CommittedLocation> locate(TaskRecord task);
    }

    private List<CommittedMessage> read(String taskId, Locator locator) {
        try {
            return fetch(taskId, locator);
        } catch (MissingContentException e) {
            // As in TaskMessageStore.list: compaction replaced a segment under a slow read, or the task was deleted.
            return fetch(taskId, locator);
        }
    }

    private List<CommittedMessage> fetch(String taskId, Locator locator) {
        TaskRecord task = log.horizon(taskId)
                .orElseThrow(() -> new TaskNotFoundException(taskId))
                .task();
        List<CommittedLocation> located = locator.locate(task);
        List<TaskMessage> messages = fetcher.messages(
                        taskId,
                        located.stream().map(CommittedLocation::location).toList(),
                        maxPageBytes)
                .messages();
        List<CommittedMessage> result = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            result.add(new CommittedMessage(located.get(i).commitNo(), messages.get(i)));
        }
        return result;
    }
}
