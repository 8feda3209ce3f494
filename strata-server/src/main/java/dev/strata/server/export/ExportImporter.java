package dev.strata.server.export;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.model.TaskMessage;
import dev.strata.server.workspace.Creation;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Imports an export file into this Strata: workspaces, conversations and tasks are created with
 * their ids, statuses and creation times (existing ones are kept), messages are imported with
 * their ids and times through {@link TaskMessageStore#importMessages} (first write wins, so a
 * re-run imports nothing twice), and ended tasks are sealed. Memory stays constant: messages go in
 * chunks. A file is checked whole first ({@link #check}), so a malformed or truncated one changes
 * nothing. Thread-safe (holds no state).
 */
public final class ExportImporter {
    private static final int CHUNK_MESSAGES = 1000;
    private static final long CHUNK_CHARS = 16L << 20;

    private final TaskMessageStore store;
    private final WorkspaceDirectory directory;

    public ExportImporter(TaskMessageStore store, WorkspaceDirectory directory) {
        this.store = requireNonNull(store, "store is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    /** What an import did. */
    public record Summary(long tasks, long messages, long imported, long duplicates) {}

    /**
     * Reads the whole file and checks every line, the order (messages after their task's line)
     * and the closing line's counts, writing nothing.
     *
     * @return the counts the closing line states
     * @throws InvalidInputException naming the line when the file is not a complete export
     */
    public static ExportLine.EndLine check(BufferedReader in) {
        long[] counts = new long[2];
        ExportLine.EndLine end = read(in, line -> {
            switch (line) {
                case ExportLine.TaskLine task -> counts[0]++;
                case ExportLine.MessageLine message -> counts[1]++;
                case ExportLine.EndLine closing -> {}
            }
        });
        if (end.tasks() != counts[0] || end.messages() != counts[1]) {
            throw new InvalidInputException("the closing line counts " + end.tasks() + " tasks and " + end.messages()
                    + " messages, the file holds " + counts[0] + " and " + counts[1]);
        }
        return end;
    }

    /**
     * Imports a file {@link #check} accepted.
     *
     * @param messagesSoFar told the number of messages read, as the import goes
     */
    public Summary run(BufferedReader in, LongConsumer messagesSoFar) {
        long[] totals = new long[4];
        List<TaskMessage> chunk = new ArrayList<>();
        long[] chunkChars = {0};
        ExportedTask[] current = {null};
        read(in, line -> {
            switch (line) {
                case ExportLine.TaskLine task -> {
                    finish(current[0], chunk, totals);
                    chunkChars[0] = 0;
                    start(task.task());
                    current[0] = task.task();
                    totals[0]++;
                }
                case ExportLine.MessageLine message -> {
                    chunk.add(message.message());
                    chunkChars[0] += message.message().textLength();
                    totals[1]++;
                    if (chunk.size() >= CHUNK_MESSAGES || chunkChars[0] >= CHUNK_CHARS) {
                        flush(current[0].id(), chunk, totals);
                        chunkChars[0] = 0;
                    }
                    messagesSoFar.accept(totals[1]);
                }
                case ExportLine.EndLine end -> finish(current[0], chunk, totals);
            }
        });
        return new Summary(totals[0], totals[1], totals[2], totals[3]);
    }

    private void start(ExportedTask task) {
        TaskStatus status = TaskStatus.fromWireName(task.status());
        directory.ensureWorkspace(task.workspaceId());
        task.conversationId().ifPresent(c -> {
            directory.ensureConversation(c, task.workspaceId(), task.createdAt());
            if (directory.conversation(task.workspaceId(), c).isEmpty()) {
                throw new InvalidInputException("conversation " + c + " of task " + task.id()
                        + " exists here in another workspace; nothing of the task was imported");
            }
        });
        store.createTask(task.id());
        directory.ensureTask(task.id(), task.workspaceId(), task.conversationId(), status, task.createdAt());
        Task existing = directory
                .existingTask(task.id())
                .map(Creation::record)
                .orElseThrow(() -> new IllegalStateException("task " + task.id() + " vanished while importing"));
        if (!existing.workspaceId().equals(task.workspaceId())) {
            throw new InvalidInputException(
                    "task " + task.id() + " exists here in another workspace; nothing of it was imported");
        }
    }

    private void finish(ExportedTask task, List<TaskMessage> chunk, long[] totals) {
        if (task == null) {
            return;
        }
        flush(task.id(), chunk, totals);
        if (TaskStatus.fromWireName(task.status()).ended()) {
            store.seal(task.id());
        }
    }

    private void flush(String taskId, List<TaskMessage> chunk, long[] totals) {
        if (chunk.isEmpty()) {
            return;
        }
        var result = store.importMessages(taskId, chunk);
        totals[2] += result.accepted();
        totals[3] += result.duplicates();
        chunk.clear();
    }

    /** Reads every line in order, checking the structure; returns the closing line. */
    private static ExportLine.EndLine read(BufferedReader in, java.util.function.Consumer<ExportLine> action) {
        long number = 0;
        String taskId = null;
        long lastSeq = -1;
        try {
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                number++;
                if (text.isBlank()) {
                    throw new InvalidInputException("line " + number + ": empty");
                }
                ExportLine line = ExportReader.parse(text, number);
                switch (line) {
                    case ExportLine.TaskLine task -> {
                        taskId = task.task().id();
                        lastSeq = -1;
                    }
                    case ExportLine.MessageLine message -> {
                        if (taskId == null || !taskId.equals(message.message().taskId())) {
                            throw new InvalidInputException("line " + number + ": a message of task "
                                    + message.message().taskId() + " outside that task's lines");
                        }
                        // A task's messages come in seq order, each seq once (as import needs them).
                        if (message.message().seq() <= lastSeq) {
                            throw new InvalidInputException("line " + number + ": seq "
                                    + message.message().seq() + " of task " + taskId
                                    + " is not after the seq before it (" + lastSeq + ")");
                        }
                        lastSeq = message.message().seq();
                    }
                    case ExportLine.EndLine end -> {
                        if (in.readLine() != null) {
                            throw new InvalidInputException("line " + (number + 1) + ": after the closing line");
                        }
                        action.accept(line);
                        return end;
                    }
                }
                action.accept(line);
            }
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("the file is not valid UTF-8 (at or after line " + (number + 1) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("reading the export failed: " + e.getMessage(), e);
        }
        throw new InvalidInputException("the file ends after line " + number
                + " without the closing {\"end\":...} line: it is not a complete export");
    }
}
