package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.store.TaskMessageStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Imports a legacy single-table database into Strata's configured tiers. Tasks go in task-id
 * order, each by one worker that streams its rows and writes them as one segment per chunk of
 * {@value #CHUNK_MESSAGES} messages (one object for almost every task). Progress is checkpointed by
 * task id in Strata's database: a re-run resumes after the last task whose predecessors are all
 * done, and the store's first-write-wins rule makes any task redone after a kill harmless. Once the
 * bulk import has finished, a re-run imports only rows above the recorded high-water mark.
 */
public final class Importer {
    static final int CHUNK_MESSAGES = 10_000;
    private static final long CHUNK_BYTES = 48L << 20;
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "superseded");

    /**
     * @param offset tasks to skip at the start, in task-id order (as the original script's --offset)
     * @param pageSize task ids fetched per keyset page
     */
    public record Options(
            String from,
            Optional<String> defaultWorkspace,
            boolean dryRun,
            long offset,
            int pageSize,
            int concurrency,
            boolean keepAllTypes) {
        public Options {
            requireNonNull(from, "from is null");
            requireNonNull(defaultWorkspace, "defaultWorkspace is null");
            if (pageSize < 1 || concurrency < 1 || offset < 0) {
                throw new InvalidInputException(
                        "--batch-size and --concurrency must be positive and --offset not negative");
            }
        }
    }

    /** What a run did. */
    /**
     * @param tasksSkipped tasks left out because {@code agent_task_queue} does not list them and no
     *     default workspace was given ({@code rowsSkipped} rows); verify expects them absent
     */
    public record Summary(
            boolean dryRun,
            boolean delta,
            long tasks,
            long rowsRead,
            long rowsImported,
            long alreadyPresent,
            long dropped,
            long tasksSkipped,
            long rowsSkipped,
            Map<String, Long> quirks,
            long bytesBefore,
            long bytesAfter,
            double seconds) {
        public String describe() {
            StringBuilder out = new StringBuilder();
            out.append(dryRun ? "dry run (nothing written)\n" : "")
                    .append(delta ? "mode: delta sync since the last run\n" : "mode: bulk import\n");
            out.append(String.format(
                    Locale.ROOT,
                    "tasks: %,d%nrows read: %,d%nrows %s: %,d%nalready in Strata: %,d%ndropped by type: %,d%n",
                    tasks,
                    rowsRead,
                    dryRun ? "to import" : "imported",
                    rowsImported,
                    alreadyPresent,
                    dropped));
            out.append(String.format(
                    Locale.ROOT,
                    "tasks skipped (not in agent_task_queue): %,d (%,d rows)%s%n",
                    tasksSkipped,
                    rowsSkipped,
                    tasksSkipped > 0 ? "; " + LegacyTaskRule.INCLUDE_HINT : ""));
            quirks.forEach((quirk, count) -> out.append(String.format(Locale.ROOT, "quirk: %s: %,d%n", quirk, count)));
            out.append(String.format(
                    Locale.ROOT,
                    "bytes before: %,d%nbytes after compression: %,d%nelapsed: %.1fs (%,.0f rows/s)%n",
                    bytesBefore,
                    bytesAfter,
                    seconds,
                    rowsRead / Math.max(seconds, 1e-9)));
            return out.toString();
        }
    }

    private final Strata strata;
    private final TaskMessageStore store;
    private final MigrationProgress progress;

    public Importer(Strata strata) {
        this.strata = requireNonNull(strata, "strata is null");
        this.store = strata.store();
        this.progress = new MigrationProgress(strata.database());
    }

    /**
     * @param rowsProgress told the rows read so far
     * @param totalRows told the number of rows to read, once known
     */
    public Summary run(Options options, LongConsumer totalRows, LongConsumer rowsProgress) {
        long start = System.nanoTime();
        String source = sourceId(options.from());
        Quirks quirks = new Quirks();
        Counters counters = new Counters();
        LegacyConversion conversion = new LegacyConversion(
                options.keepAllTypes() ? Set.of() : strata.config().dropTypes());
        long bytesWrittenBefore = contentBytesWritten();
        MigrationProgress.State state = options.dryRun() ? MigrationProgress.State.NONE : progress.load(source);
        boolean delta = state.bulkDone();
        try (LegacyDatabase legacy = new LegacyDatabase(options.from());
                WorkerPool workers = new WorkerPool(options)) {
            LegacyTaskRule rule = new LegacyTaskRule(legacy.hasTaskQueue(), options.defaultWorkspace());
            if (!options.dryRun()) {
                options.defaultWorkspace().ifPresent(strata.directory()::ensureWorkspace);
            }
            String highWater = state.highWater().orElseGet(legacy::highWater);
            if (delta) {
                String newHighWater = legacy.highWater();
                List<String> changed = legacy.taskIdsChangedSince(highWater);
                totalRows.accept(-1);
                Deque<Future<?>> inFlight = new ArrayDeque<>();
                for (String taskId : changed) {
                    inFlight.add(workers.submit(db -> importTask(
                            db,
                            taskId,
                            Optional.of(highWater),
                            rule,
                            options,
                            conversion,
                            quirks,
                            counters,
                            rowsProgress)));
                }
                drain(inFlight);
                progress.save(
                        source,
                        new MigrationProgress.State(
                                state.lastTaskId(),
                                true,
                                Optional.of(newHighWater),
                                state.rowsImported() + counters.imported.get(),
                                false));
            } else {
                totalRows.accept(legacy.countRows());
                if (!options.dryRun()) {
                    progress.save(
                            source,
                            new MigrationProgress.State(
                                    state.lastTaskId(), false, Optional.of(highWater), state.rowsImported(), false));
                }
                bulk(
                        legacy,
                        workers,
                        source,
                        state,
                        highWater,
                        rule,
                        options,
                        conversion,
                        quirks,
                        counters,
                        rowsProgress);
            }
        }
        long bytesAfter = options.dryRun() ? 0 : contentBytesWritten() - bytesWrittenBefore;
        return new Summary(
                options.dryRun(),
                delta,
                counters.tasks.get(),
                counters.read.get(),
                counters.imported.get(),
                counters.present.get(),
                counters.dropped.get(),
                counters.skipped.get(),
                counters.skippedRows.get(),
                quirks.snapshot(),
                counters.rawBytes.get(),
                bytesAfter,
                (System.nanoTime() - start) / 1e9);
    }

    private void bulk(
            LegacyDatabase legacy,
            WorkerPool workers,
            String source,
            MigrationProgress.State state,
            String highWater,
            LegacyTaskRule rule,
            Options options,
            LegacyConversion conversion,
            Quirks quirks,
            Counters counters,
            LongConsumer rowsProgress) {
        String after = state.lastTaskId().orElse("");
        long toSkip = state.lastTaskId().isPresent() ? 0 : options.offset();
        Deque<Map.Entry<String, Future<?>>> inFlight = new ArrayDeque<>();
        long lastCheckpoint = System.nanoTime();
        String done = after;
        for (List<String> page = legacy.taskIdsAfter(after, options.pageSize());
                !page.isEmpty();
                page = legacy.taskIdsAfter(after, options.pageSize())) {
            for (String taskId : page) {
                after = taskId;
                if (toSkip > 0) {
                    toSkip--;
                    continue;
                }
                inFlight.add(Map.entry(
                        taskId,
                        workers.submit(db -> importTask(
                                db,
                                taskId,
                                Optional.empty(),
                                rule,
                                options,
                                conversion,
                                quirks,
                                counters,
                                rowsProgress))));
                while (inFlight.size() > options.concurrency() * 4
                        || (!inFlight.isEmpty()
                                && inFlight.peekFirst().getValue().isDone())) {
                    var head = inFlight.pollFirst();
                    await(head.getValue());
                    done = head.getKey();
                }
                if (!options.dryRun() && System.nanoTime() - lastCheckpoint > 1_000_000_000L) {
                    progress.save(
                            source,
                            new MigrationProgress.State(
                                    Optional.of(done),
                                    false,
                                    Optional.of(highWater),
                                    state.rowsImported() + counters.imported.get(),
                                    false));
                    lastCheckpoint = System.nanoTime();
                }
            }
        }
        while (!inFlight.isEmpty()) {
            var head = inFlight.pollFirst();
            await(head.getValue());
            done = head.getKey();
        }
        if (!options.dryRun()) {
            progress.save(
                    source,
                    new MigrationProgress.State(
                            Optional.of(done),
                            true,
                            Optional.of(highWater),
                            state.rowsImported() + counters.imported.get(),
                            false));
        }
    }

    private void importTask(
            LegacyDatabase legacy,
            String taskId,
            Optional<String> newerThan,
            LegacyTaskRule rule,
            Options options,
            LegacyConversion conversion,
            Quirks quirks,
            Counters counters,
            LongConsumer rowsProgress) {
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
        if (!options.dryRun()) {
            createOwner(taskId, owner, options.defaultWorkspace(), taskCreatedAt);
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
            if (chunk.size() >= CHUNK_MESSAGES || chunkBytes[0] >= CHUNK_BYTES) {
                flush(taskId, chunk, options, counters);
                chunkBytes[0] = 0;
            }
        });
        flush(taskId, chunk, options, counters);
        counters.dropped.addAndGet(selector.dropped());
        if (!options.dryRun() && owner.map(t -> TERMINAL.contains(t.status())).orElse(false)) {
            store.seal(taskId);
        }
    }

    private void flush(String taskId, List<TaskMessage> chunk, Options options, Counters counters) {
        if (chunk.isEmpty()) {
            return;
        }
        if (options.dryRun()) {
            counters.imported.addAndGet(chunk.size());
        } else {
            var result = store.importMessages(taskId, chunk);
            counters.imported.addAndGet(result.accepted());
            counters.present.addAndGet(result.duplicates());
        }
        chunk.clear();
    }

    private void createOwner(
            String taskId, Optional<LegacyTask> owner, Optional<String> defaultWorkspace, Optional<Instant> createdAt) {
        var directory = strata.directory();
        Instant at = createdAt.orElse(Instant.EPOCH);
        if (owner.isPresent()) {
            LegacyTask task = owner.get();
            directory.ensureWorkspace(task.workspaceId());
            task.conversationId().ifPresent(c -> directory.ensureConversation(c, task.workspaceId(), at));
            directory.ensureTask(taskId, task.workspaceId(), task.conversationId(), status(task.status()), at);
        } else {
            directory.ensureTask(taskId, defaultWorkspace.orElseThrow(), Optional.empty(), TaskStatus.COMPLETED, at);
        }
    }

    private static TaskStatus status(String legacy) {
        try {
            return TaskStatus.fromWireName(legacy == null ? "" : legacy);
        } catch (IllegalArgumentException e) {
            return TaskStatus.CANCELLED;
        }
    }

    private long contentBytesWritten() {
        var counter = strata.registry().find("strata.content.written.bytes").counter();
        return counter == null ? 0 : (long) counter.count();
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

    /** Identifies a legacy source without its credentials, as the checkpoint key. */
    static String sourceId(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static void drain(Deque<Future<?>> futures) {
        while (!futures.isEmpty()) {
            await(futures.pollFirst());
        }
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static final class Counters {
        final AtomicLong tasks = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong imported = new AtomicLong();
        final AtomicLong present = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong skippedRows = new AtomicLong();
        final AtomicLong rawBytes = new AtomicLong();
    }

    /** Workers that each hold their own connection to the legacy database. */
    private static final class WorkerPool implements AutoCloseable {
        private final ExecutorService pool;
        private final List<LegacyDatabase> connections = java.util.Collections.synchronizedList(new ArrayList<>());
        private final ThreadLocal<LegacyDatabase> connection;

        WorkerPool(Options options) {
            this.pool = Executors.newFixedThreadPool(options.concurrency());
            this.connection = ThreadLocal.withInitial(() -> {
                LegacyDatabase db = new LegacyDatabase(options.from());
                connections.add(db);
                return db;
            });
        }

        Future<?> submit(java.util.function.Consumer<LegacyDatabase> work) {
            return pool.submit(() -> work.accept(connection.get()));
        }

        @Override
        public void close() {
            pool.shutdown();
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connections.forEach(LegacyDatabase::close);
        }
    }
}
