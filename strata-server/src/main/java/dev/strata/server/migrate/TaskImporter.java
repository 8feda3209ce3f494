package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.TaskMessage;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Imports one legacy task at a time for one run: creates its owner and store task, streams its rows
 * and writes them in chunks, seals it when the legacy status is terminal. Holds the run's rules and
 * totals, so a call names only the task. Thread-safe: workers share it, each with its own connection.
 */
final class TaskImporter {
    private static final long CHUNK_BYTES = 48L << 20;
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "superseded");

    private final ImportTarget target;
    private final Importer.Options options;
    private final LegacyTaskRule rule;
    private final LegacyConversion conversion;
    private final Quirks quirks;
    private final ImportCounters counters;
    private final LongConsumer rowsProgress;
    private final EnsuredOnce ensuredWorkspaces = new EnsuredOnce();
    private final EnsuredOnce ensuredConversations = new EnsuredOnce();

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

    /** Imports the task's rows, all of them or only those newer than a high-water mark. */
    void importTask(LegacyDatabase legacy, String taskId, Optional<String> newerThan) {
        LegacyTaskRule.Decision decision = rule.decide(legacy, taskId, quirks);
        Optional<LegacyTask> owner = decision.owner();
        Optional<Instant> taskCreatedAt = decision.createdAt();
        if (!decision.included()) {
            long[] rows = {0};
            legacy.forEachRow(taskId, newerThan, row -> rows[0]++);
            counters.read.addAndGet(rows[0]);
            counters.skipped.incrementAndGet();
            counters.skippedRows.addAndGet(rows[0]);
            rowsProgress.accept(counters.read.get());
            return;
        }
        TaskMessageStore store = target.store();
        if (!options.dryRun()) {
            createOwner(taskId, owner, taskCreatedAt);
            store.createTask(taskId);
        }
        counters.tasks.incrementAndGet();
        List<TaskMessage> chunk = new ArrayList<>();
        long[] chunkBytes = {0};
        LegacyConversion.Selector selector = conversion.selector(taskCreatedAt, quirks);
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
        if (!options.dryRun() && owner.map(t -> TERMINAL.contains(t.status())).orElse(false)) {
            store.seal(taskId);
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

    private void createOwner(String taskId, Optional<LegacyTask> owner, Optional<Instant> createdAt) {
        WorkspaceDirectory directory = target.directory();
        Instant at = createdAt.orElse(Instant.EPOCH);
        if (owner.isPresent()) {
            LegacyTask task = owner.get();
            // Many tasks share a workspace or conversation: each is ensured once per run, not once
            // per task (each ensure is a write transaction that waits for SQLite's one writer).
            ensuredWorkspaces.ensure(task.workspaceId(), () -> directory.ensureWorkspace(task.workspaceId()));
            task.conversationId()
                    .ifPresent(c -> ensuredConversations.ensure(
                            c, () -> directory.ensureConversation(c, task.workspaceId(), at)));
            directory.ensureTask(taskId, task.workspaceId(), task.conversationId(), status(task.status()), at);
        } else {
            directory.ensureTask(
                    taskId, options.defaultWorkspace().orElseThrow(), Optional.empty(), TaskStatus.COMPLETED, at);
        }
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
