package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.AppendResult;
import dev.strata.model.BatchSeqs;
import dev.strata.model.InvalidInputException;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The write path of {@link TaskMessageStore}: appends and imports. Drops by type policy, skips
 * seqs already stored, writes the rest as one new segment and commits its metadata in one
 * transaction; see {@link TaskMessageStore#append} for the guarantees. Thread-safe.
 */
final class Appender {
    private final MetadataTier metadata;
    private final SegmentWriter writer;
    private final SegmentCache cache;
    private final SegmentCodec codec;
    private final Set<String> dropTypes;
    private final Clock clock;
    private final Consumer<String> changed;

    Appender(
            MetadataTier metadata,
            SegmentWriter writer,
            SegmentCache cache,
            SegmentCodec codec,
            Set<String> dropTypes,
            Clock clock,
            Consumer<String> changed) {
        this.metadata = metadata;
        this.writer = writer;
        this.cache = cache;
        this.codec = codec;
        this.dropTypes = dropTypes;
        this.clock = clock;
        this.changed = changed;
    }

    AppendResult append(String taskId, List<NewMessage> batch) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        BatchSeqs seqs = new BatchSeqs();
        List<NewMessage> kept = new ArrayList<>(batch.size());
        for (NewMessage message : batch) {
            switch (seqs.accept(message.seq())) {
                case FIRST -> {
                    if (!dropTypes.contains(message.type())) {
                        kept.add(message);
                    }
                }
                case REPEATED -> throw new InvalidInputException("seq " + BatchSeqs.repeated(message.seq()));
                // NewMessage refuses such a seq on construction; listed so the switch is complete.
                case OUT_OF_RANGE -> throw new IllegalStateException("seq out of range: " + message.seq());
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
                        TaskMessageStore.messageId(taskId, m.seq()),
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

    AppendResult importMessages(String taskId, List<TaskMessage> messages) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        BatchSeqs seqs = new BatchSeqs();
        for (TaskMessage message : messages) {
            BatchSeqs.Verdict verdict = seqs.accept(message.seq());
            if (!message.taskId().equals(taskId) || verdict == BatchSeqs.Verdict.REPEATED) {
                throw new InvalidInputException(
                        "import of task " + taskId + " has a foreign message or seq " + message.seq() + " twice");
            }
            try {
                if (verdict == BatchSeqs.Verdict.OUT_OF_RANGE) {
                    throw new InvalidInputException(
                            "seq must be an integer from 0 to " + NewMessage.MAX_SEQ + ", got " + message.seq());
                }
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
        SegmentWriter.Written written = writer.write(task.taskId(), codec.encode(messages));
        // If the commit throws, the object stays: the commit may have succeeded before the error
        // reached us, and deleting content that metadata references would lose acknowledged data.
        // An uncommitted object is invisible and orphan collection removes it.
        // The commit proves the task is still the one read above, or answers TaskGone.
        CommitOutcome outcome = metadata.commit(
                task,
                new SegmentCommit(
                        task.taskKey(),
                        written.objectId(),
                        written.byteSize(),
                        written.encoded().checksum(),
                        MessageRow.of(messages)));
        return switch (outcome) {
            case CommitOutcome.TaskGone gone -> {
                writer.discard(written);
                throw new TaskNotFoundException(task.taskId());
            }
            case CommitOutcome.Committed committed
            when committed.insertedSeqs().isEmpty() -> {
                writer.discard(written);
                yield 0;
            }
            case CommitOutcome.Committed committed -> {
                cache.put(written.key(), written.encoded().bytes());
                changed.accept(task.taskId());
                yield committed.insertedSeqs().size();
            }
        };
    }
}
