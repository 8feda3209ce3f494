package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.TaskMessage;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Imports legacy tasks for one run in three steps: {@link #prepare} creates a group of tasks with
 * their owners, {@link #importRows} streams one task's rows and writes them in chunks,
 * {@link #seal} seals a group of imported tasks whose legacy status is terminal. Holds the run's
 * rules and totals, so a call names only tasks. Thread-safe: workers share it, each with its own
 * connection.
 */
final class TaskImporter {
    /**
     * A chunk's bound in characters of text: {@link Importer#DEFAULT_CONCURRENCY} workers hold at
     * most 64M characters of chunks (two workers of 48M each held 96M before the default grew).
     */
    private static final long CHUNK_BYTES = 4L << 20;

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "superseded");

    private final ImportTarget target;
    private final Importer.Options options;
    private final LegacyTaskRule rule;
    private final LegacyConversion conversion;
    private final Quirks quirks;
    private final ImportCounters counters;
    private final LongConsumer rowsProgress;

    TaskImporter(
            ImportTarget target,
            Importer.Options options,
            LegacyTaskRule rule,
            Quirks quirks,
            ImportCounters counters,
            LongConsumer rowsProgress) {
        this.target = requireNonNull(target, "target is null");
        this.options = requireNonNull(options, "options is null");
        this.rule = requireNonNull(rule, "rule is null");
        this.conversion = new LegacyConversion(options.keepAllTypes() ? Set.of() : target.dropTypes());
        this.quirks = requireNonNull(quirks, "quirks is null");
        this.counters = requireNonNull(counters, "counters is null");
        this.rowsProgress = requireNonNull(rowsProgress, "rowsProgress is null");
    }

    /** A task that {@link #prepare} decided on: included or not, and whether to seal it once its rows are in. */
    record Prepared(String taskId, boolean included, boolean terminal, Optional<Instant> createdAt) {}

    /**
     * Decides on each task and creates the included ones, with their owners, before any of their
     * rows: two transactions for the whole list (the directory's and the store's), not several per
     * task, since each commit waits for SQLite's one writer.
     */
    List<Prepared> prepare(LegacyDatabase legacy, List<String> taskIds) {
        List<Prepared> prepared = new ArrayList<>(taskIds.size());
        List<Task> owners = new ArrayList<>();
        for (String taskId : taskIds) {
            LegacyTaskRule.Decision decision = rule.decide(legacy, taskId, quirks);
            Optional<LegacyTask> owner = decision.owner();
            Optional<Instant> createdAt = decision.createdAt();
            prepared.add(new Prepared(
                    taskId,
                    decision.included(),
                    owner.map(t -> TERMINAL.contains(t.status())).orElse(false),
                    createdAt));
            if (decision.included()) {
                Instant at = createdAt.orElse(Instant.EPOCH);
                owners.add(owner.map(t -> new Task(taskId, t.workspaceId(), t.conversationId(), status(t.status()), at))
                        .orElseGet(() -> new Task(
                                taskId,
                                options.defaultWorkspace().orElseThrow(),
                                Optional.empty(),
                                TaskStatus.COMPLETED,
                                at)));
            }
        }
        if (!options.dryRun() && !owners.isEmpty()) {
            target.directory().ensureTasks(owners);
            target.store().createTasks(owners.stream().map(Task::id).toList());
        }
        return prepared;
    }

    /** Imports a prepared task's rows, all of them or only those newer than a high-water mark. */
    void importRows(LegacyDatabase legacy, Prepared task, Optional<String> newerThan) {
        String taskId = task.taskId();
        if (!task.included()) {
            long[] rows = {0};
            legacy.forEachRow(taskId, newerThan, row -> rows[0]++);
            counters.read.addAndGet(rows[0]);
            counters.skipped.incrementAndGet();
            counters.skippedRows.addAndGet(rows[0]);
            rowsProgress.accept(counters.read.get());
            return;
        }
        counters.tasks.incrementAndGet();
        List<TaskMessage> chunk = new ArrayList<>();
        long[] chunkBytes = {0};
        LegacyConversion.Selector selector = conversion.selector(task.createdAt(), quirks);
        legacy.forEachRow(taskId, newerThan, row -> {
            long read = counters.read.incrementAndGet();
            if (read % 1000 == 0) {
                rowsProgress.accept(read);
            }
            selector.accept(row).ifPresent(message -> {
                long bytes = rawBytes(message);
                counters.rawBytes.addAndGet(bytes);
                chunk.add(message);
                chunkBytes[0] += bytes;
            });
            if (chunk.size() >= Importer.CHUNK_MESSAGES || chunkBytes[0] >= CHUNK_BYTES) {
                flush(taskId, chunk);
                chunkBytes[0] = 0;
            }
        });
        flush(taskId, chunk);
        counters.dropped.addAndGet(selector.dropped());
    }

    /** Seals, in one transaction, the imported tasks whose legacy status is terminal. */
    void seal(Collection<Prepared> imported) {
        List<String> ended = imported.stream()
                .filter(t -> t.included() && t.terminal())
                .map(Prepared::taskId)
                .toList();
        if (!options.dryRun() && !ended.isEmpty()) {
            target.store().seal(ended);
        }
    }

    private void flush(String taskId, List<TaskMessage> chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        if (options.dryRun()) {
            counters.imported.addAndGet(chunk.size());
        } else {
            var result = target.store().importMessages(taskId, chunk);
            counters.imported.addAndGet(result.accepted());
            counters.present.addAndGet(result.duplicates());
        }
        chunk.clear();
    }

    private static TaskStatus status(String legacy) {
        try {
            return TaskStatus.fromWireName(legacy == null ? "" : legacy);
        } catch (IllegalArgumentException e) {
            return TaskStatus.CANCELLED;
        }
    }

    static long rawBytes(TaskMessage m) {
        return m.content().length()
                + m.output().length()
                + m.input().map(String::length).orElse(0)
                + m.type().length()
                + m.tool().length()
                + m.callId().length()
                + m.id().length()
                + 8;
    }
}
