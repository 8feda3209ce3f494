package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.AppendResult;
import dev.strata.model.BatchSeqs;
import dev.strata.model.InvalidInputException;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.TaskRecord;
import dev.strata.tier.metadata.TaskSeqs;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The write path of {@link TaskMessageStore}: appends and imports. Drops by type policy, skips
 * seqs already stored, encodes the rest as one frame and waits for the {@link Flusher} to write it
 * (with the frames of concurrent appends) and commit it; see {@link TaskMessageStore#append} for
 * the guarantees. Thread-safe.
 */
final class Appender {
    private final MetadataTier metadata;
    private final Flusher flusher;
    private final SegmentCodec codec;
    private final Set<String> dropTypes;
    private final Clock clock;

    Appender(MetadataTier metadata, Flusher flusher, SegmentCodec codec, Set<String> dropTypes, Clock clock) {
        this.metadata = metadata;
        this.flusher = flusher;
        this.codec = codec;
        this.dropTypes = dropTypes;
        this.clock = clock;
    }

    AppendResult append(String taskId, List<NewMessage> batch) {
        BatchSeqs seqs = new BatchSeqs();
        List<NewMessage> kept = new ArrayList<>(batch.size());
        InvalidInputException invalid = null;
        for (NewMessage message : batch) {
            switch (seqs.accept(message.seq())) {
                case FIRST -> {
                    if (!dropTypes.contains(message.type())) {
                        kept.add(message);
                    }
                }
                case REPEATED -> invalid = new InvalidInputException("seq " + BatchSeqs.repeated(message.seq()));
                // NewMessage refuses such a seq on construction; listed so the switch is complete.
                case OUT_OF_RANGE -> throw new IllegalStateException("seq out of range: " + message.seq());
            }
            if (invalid != null) {
                break;
            }
        }
        int dropped = batch.size() - kept.size();
        if (invalid != null || kept.isEmpty()) {
            // An unknown task answers "not found" before anything about the batch.
            if (metadata.task(taskId).isEmpty()) {
                throw new TaskNotFoundException(taskId);
            }
            if (invalid != null) {
                throw invalid;
            }
            return new AppendResult(0, 0, dropped);
        }
        // The task and the seqs it stores already, in one read.
        TaskSeqs found = metadata.taskWithStoredSeqs(
                        taskId, kept.stream().map(NewMessage::seq).toList())
                .orElseThrow(() -> new TaskNotFoundException(taskId));
        TaskRecord task = found.task();
        Set<Long> stored = found.stored();
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
     * Encodes messages as one frame (here, on the caller's thread, so frames of concurrent appends
     * compress in parallel) and hands it to the next flush, which makes it durable and commits it;
     * the content is durable before metadata points at it, so there is never metadata without content.
     *
     * @return how many of them were new (the rest lost a race with a concurrent append)
     */
    private int writeSegment(TaskRecord task, List<TaskMessage> messages) {
        CommitOutcome outcome = flusher.commit(task, messages, codec.encode(messages));
        return switch (outcome) {
            case CommitOutcome.TaskGone gone -> throw new TaskNotFoundException(task.taskId());
            case CommitOutcome.Committed committed -> committed.insertedSeqs().size();
        };
    }
}
