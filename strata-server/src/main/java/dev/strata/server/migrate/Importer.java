package dev.strata.server.migrate;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Imports a legacy single-table database into Strata's configured tiers. Tasks go in task-id
 * order: created a group at a time, then each by one worker that streams its rows and appends them
 * as one frame per chunk of {@value #CHUNK_MESSAGES} messages through the store's group commit
 * (the frames of concurrent tasks share one object and one commit; consolidation later moves them
 * into per-task objects), then sealed a group at a time. Progress is checkpointed by
 * task id in Strata's database: a re-run resumes after the last task whose predecessors are all
 * done, and the store's first-write-wins rule makes any task redone after a kill harmless. Once the
 * bulk import has finished, a re-run imports only rows above the recorded high-water mark.
 */
public final class Importer {
    static final int CHUNK_MESSAGES = 10_000;
    /**
     * Tasks imported at once by default. Each worker waits for the flush of its chunk most of the
     * time, and the more chunks wait together the more share one object and one commit: on two
     * cores, 16 imported the bench's file 1.5x faster than 2, and 8 came between.
     */
    public static final int DEFAULT_CONCURRENCY = 16;

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

    /**
     * What a run did.
     *
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

    private final ImportTarget target;
    private final MigrationProgress progress;

    public Importer(ImportTarget target) {
        this.target = requireNonNull(target, "target is null");
        this.progress = new MigrationProgress(target.database());
    }

    /**
     * @param rowsProgress told the rows read so far
     * @param totalRows told the number of rows to read, once known
     */
    public Summary run(Options options, LongConsumer totalRows, LongConsumer rowsProgress) {
        long start = System.nanoTime();
        String source = sourceId(options.from());
        Quirks quirks = new Quirks();
        ImportCounters counters = new ImportCounters();
        long bytesWrittenBefore = target.contentBytesWritten().getAsLong();
        MigrationProgress.State state = options.dryRun() ? MigrationProgress.State.NONE : progress.load(source);
        boolean delta = state.bulkDone();
        try (LegacyDatabase legacy = new LegacyDatabase(options.from());
                ImportWorkers workers = new ImportWorkers(options.from(), options.concurrency())) {
            LegacyTaskRule rule = new LegacyTaskRule(legacy.hasTaskQueue(), options.defaultWorkspace());
            if (!options.dryRun()) {
                options.defaultWorkspace().ifPresent(target.directory()::ensureWorkspace);
            }
            TaskImporter tasks = new TaskImporter(target, options, rule, quirks, counters, rowsProgress);
            String highWater = state.highWater().orElseGet(legacy::highWater);
            Checkpoints checkpoints = new Checkpoints(source, state, counters, options.dryRun());
            if (delta) {
                String newHighWater = legacy.highWater();
                List<String> changed = legacy.taskIdsChangedSince(highWater);
                totalRows.accept(-1);
                Pipeline pipeline = new Pipeline(
                        legacy, workers, tasks, options.concurrency(), Optional.of(highWater), Optional.empty());
                pipeline.add(changed);
                pipeline.finish();
                checkpoints.save(state.lastTaskId(), true, newHighWater);
            } else {
                totalRows.accept(legacy.countRows());
                long withoutTask = legacy.countRowsWithoutTask();
                if (withoutTask > 0) {
                    quirks.count(Quirks.NO_TASK_ID, withoutTask);
                    counters.read.addAndGet(withoutTask);
                }
                checkpoints.save(state.lastTaskId(), false, highWater);
                bulk(legacy, workers, tasks, options, state, checkpoints.withHighWater(highWater));
            }
        }
        long bytesAfter = options.dryRun() ? 0 : target.contentBytesWritten().getAsLong() - bytesWrittenBefore;
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

    /** Imports every task in id order, checkpointing the last one whose predecessors are all done. */
    private static void bulk(
            LegacyDatabase legacy,
            ImportWorkers workers,
            TaskImporter tasks,
            Options options,
            MigrationProgress.State state,
            Checkpoints.Bulk checkpoints) {
        String after = state.lastTaskId().orElse("");
        long toSkip = state.lastTaskId().isPresent() ? 0 : options.offset();
        // Until a task is done the checkpoint stays the one loaded, or none: a resume before the
        // first task finished applies --offset again.
        Pipeline pipeline =
                new Pipeline(legacy, workers, tasks, options.concurrency(), Optional.empty(), state.lastTaskId());
        long lastCheckpoint = System.nanoTime();
        for (List<String> page = legacy.taskIdsAfter(after, options.pageSize());
                !page.isEmpty();
                page = legacy.taskIdsAfter(after, options.pageSize())) {
            after = page.getLast();
            int skipped = (int) Math.min(toSkip, page.size());
            toSkip -= skipped;
            List<String> toImport = page.subList(skipped, page.size());
            for (int from = 0; from < toImport.size(); from += Pipeline.GROUP) {
                pipeline.add(toImport.subList(from, Math.min(toImport.size(), from + Pipeline.GROUP)));
                if (System.nanoTime() - lastCheckpoint > 1_000_000_000L) {
                    checkpoints.save(pipeline.sealFinished(), false);
                    lastCheckpoint = System.nanoTime();
                }
            }
        }
        checkpoints.save(pipeline.finish(), true);
    }

    /**
     * Imports tasks in the order added: creates them {@value #GROUP} at a time, imports their rows
     * on the workers (a few per worker in flight, so that the flushes of concurrent tasks share
     * one object and one commit), and seals them {@value #GROUP} at a time. Not thread-safe: one
     * thread adds.
     */
    private static final class Pipeline {
        static final int GROUP = 64;

        private final LegacyDatabase legacy;
        private final ImportWorkers workers;
        private final TaskImporter tasks;
        private final int maxInFlight;
        private final Optional<String> newerThan;
        private final Deque<Map.Entry<TaskImporter.Prepared, Future<?>>> inFlight = new ArrayDeque<>();
        private final List<TaskImporter.Prepared> finished = new ArrayList<>();
        private Optional<String> lastSealed;

        Pipeline(
                LegacyDatabase legacy,
                ImportWorkers workers,
                TaskImporter tasks,
                int concurrency,
                Optional<String> newerThan,
                Optional<String> doneBefore) {
            this.legacy = legacy;
            this.workers = workers;
            this.tasks = tasks;
            this.maxInFlight = concurrency * 4;
            this.newerThan = newerThan;
            this.lastSealed = doneBefore;
        }

        /** Creates the tasks (in groups) and submits their rows' import, waiting while too many are in flight. */
        void add(List<String> taskIds) {
            for (int from = 0; from < taskIds.size(); from += GROUP) {
                for (TaskImporter.Prepared task :
                        tasks.prepare(legacy, taskIds.subList(from, Math.min(taskIds.size(), from + GROUP)))) {
                    inFlight.add(Map.entry(task, workers.submit(db -> tasks.importRows(db, task, newerThan))));
                    while (inFlight.size() > maxInFlight
                            || (!inFlight.isEmpty()
                                    && inFlight.peekFirst().getValue().isDone())) {
                        awaitHead();
                    }
                }
            }
        }

        /**
         * Seals the tasks imported so far, in order.
         *
         * @return the last task whose predecessors are all imported and sealed, or the task done
         *     before this run while there is none
         */
        Optional<String> sealFinished() {
            if (!finished.isEmpty()) {
                tasks.seal(finished);
                lastSealed = Optional.of(finished.getLast().taskId());
                finished.clear();
            }
            return lastSealed;
        }

        /** Waits for every task added, then seals: @return as {@link #sealFinished}. */
        Optional<String> finish() {
            while (!inFlight.isEmpty()) {
                awaitHead();
            }
            return sealFinished();
        }

        private void awaitHead() {
            var head = inFlight.pollFirst();
            await(head.getValue());
            finished.add(head.getKey());
            if (finished.size() >= GROUP) {
                sealFinished();
            }
        }
    }

    /** Identifies a legacy source without its credentials, as the checkpoint key. */
    static String sourceId(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
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

    /** Saves a run's progress under its source; a dry run saves nothing. */
    private final class Checkpoints {
        private final String source;
        private final MigrationProgress.State start;
        private final ImportCounters counters;
        private final boolean dryRun;

        Checkpoints(String source, MigrationProgress.State start, ImportCounters counters, boolean dryRun) {
            this.source = source;
            this.start = start;
            this.counters = counters;
            this.dryRun = dryRun;
        }

        void save(Optional<String> lastTaskId, boolean bulkDone, String highWater) {
            if (!dryRun) {
                progress.save(
                        source,
                        new MigrationProgress.State(
                                lastTaskId,
                                bulkDone,
                                Optional.of(highWater),
                                start.rowsImported() + counters.imported.get(),
                                Optional.empty()));
            }
        }

        Bulk withHighWater(String highWater) {
            return (lastTaskId, bulkDone) -> save(lastTaskId, bulkDone, highWater);
        }

        /** The bulk pass's checkpoints, all under the high-water mark taken when it began. */
        interface Bulk {
            void save(Optional<String> lastTaskId, boolean bulkDone);
        }
    }
}
