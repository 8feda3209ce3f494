package dev.strata.bench.soak;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.strata.lifecycle.FsckReport;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.LoggerFactory;

/**
 * {@code strata bench soak}: runs Strata in this process on private backends for a while, with
 * several writers doing mixed appends, reads, completes and deletes while faults are injected
 * into the backends, then checks that acknowledged equals stored (every acknowledged message of
 * every task not deleted reads back identical, deleted tasks are gone), that {@code fsck} is
 * clean, and that the heap after GC did not trend up from minute 2 to the end (see {@link HeapSampler#notFlat}).
 */
public final class Soak {
    /** What to run. */
    public record Options(String backends, double minutes, int writers, double faultIntervalSeconds, long seed) {}

    private static final double HEAP_TOLERANCE = 0.10;

    private final Options options;
    private final PrintStream out;

    public Soak(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** @return 0 when every check passed, 1 otherwise */
    public int run() {
        ErrorCounter errors = quietLogs();
        Path directory;
        try {
            directory = Files.createTempDirectory("strata-soak");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (SoakBackends backends = options.backends().equals("scalable")
                ? SoakBackends.scalable(directory)
                : SoakBackends.embedded(directory)) {
            // An interrupted run must not leave a fault behind (an immutable directory cannot even be removed).
            Thread heal = new Thread(backends::heal);
            Runtime.getRuntime().addShutdownHook(heal);
            try {
                return run(backends, errors);
            } finally {
                Runtime.getRuntime().removeShutdownHook(heal);
            }
        } finally {
            delete(directory);
        }
    }

    private int run(SoakBackends backends, ErrorCounter errors) {
        Map<String, String> env = new HashMap<>(backends.environment());
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        // Lifecycle work often enough that compaction and deletion run many times, under faults too.
        env.put("STRATA_COMPACTION_INTERVAL", "2s");
        env.put("STRATA_COMPACTION_GRACE", "3s");
        env.put("STRATA_DELETION_INTERVAL", "2s");
        HeapSampler heap = new HeapSampler();
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
                SoakClient client = client(strata)) {
            // The load's time starts once the server is up: on a loaded machine starting it can take
            // longer than a short run, which then sent nothing at all.
            long start = System.nanoTime();
            long end = start + (long) (options.minutes() * 60e9);
            SoakWorkload workload = new SoakWorkload(client, options.writers(), end + TimeUnit.MINUTES.toNanos(3));
            out.printf(
                    Locale.ROOT,
                    "soak: %s backends, %d writers, %.1f minutes, a fault every %.0f s on average, seed %d%n",
                    options.backends(),
                    options.writers(),
                    options.minutes(),
                    options.faultIntervalSeconds(),
                    options.seed());
            AtomicLong faults = new AtomicLong();
            // Writers pause while the heap is sampled, so a sample does not count requests in flight.
            ReentrantReadWriteLock quiet = new ReentrantReadWriteLock(true);
            ScheduledExecutorService minutes = Executors.newSingleThreadScheduledExecutor();
            minutes.scheduleAtFixedRate(
                    () -> progress(sampleQuietly(heap, quiet), workload, faults), 1, 1, TimeUnit.MINUTES);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < options.writers(); w++) {
                SplittableRandom random = new SplittableRandom(options.seed() + w);
                threads.add(Thread.ofPlatform().name("soak-writer-" + w).start(() -> {
                    while (System.nanoTime() < end) {
                        quiet.readLock().lock();
                        try {
                            workload.step(random);
                        } finally {
                            quiet.readLock().unlock();
                        }
                    }
                }));
            }
            Thread injector =
                    Thread.ofPlatform().name("soak-faults").start(() -> injectFaults(backends, workload, faults, end));
            join(threads);
            join(List.of(injector));
            minutes.shutdownNow();
            backends.heal();
            out.println("soak: load stopped; checking ...");

            List<String> failed = new ArrayList<>();
            Map<String, Long> figures = SoakChecks.acknowledgedEqualsStored(client, workload, failed);
            FsckReport fsck = SoakChecks.fsckWhenSettled(strata);
            heap.sample();
            if (!fsck.clean()) {
                failed.add("fsck is not clean: "
                        + fsck.problems().stream().limit(10).toList());
            }
            String heapProblem = heap.notFlat(HEAP_TOLERANCE);
            if (heapProblem != null) {
                failed.add(heapProblem);
            }
            if (workload.stats().problemCount() > 0) {
                failed.add(workload.stats().problemCount() + " broken promises during the run, first: "
                        + workload.stats().problems());
            }
            printSummary(start, workload, figures, fsck, heap, errors, failed);
            return failed.isEmpty() ? 0 : 1;
        }
    }

    private static HeapSampler.Sample sampleQuietly(HeapSampler heap, ReentrantReadWriteLock quiet) {
        boolean paused = false;
        try {
            paused = quiet.writeLock().tryLock(30, TimeUnit.SECONDS);
            return heap.sample();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return heap.sample();
        } finally {
            if (paused) {
                quiet.writeLock().unlock();
            }
        }
    }

    private SoakClient client(Strata strata) {
        String workspace = strata.directory().createWorkspace("soak").id();
        String user = strata.directory().createUser("soak@example.com", "soak").id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        return new SoakClient(
                strata.port(),
                strata.tokens().createUserToken(user),
                workspace,
                strata.tokens().createMachineToken(user, workspace));
    }

    private void injectFaults(SoakBackends backends, SoakWorkload workload, AtomicLong faults, long end) {
        SplittableRandom random = new SplittableRandom(options.seed() ^ 0x5eed);
        while (true) {
            long pause = (long) (options.faultIntervalSeconds() * 1000 * (0.5 + random.nextDouble()));
            sleepUntil(Math.min(end, System.nanoTime() + pause * 1_000_000));
            if (System.nanoTime() >= end || Thread.currentThread().isInterrupted()) {
                return;
            }
            String fault = backends.inject(random);
            faults.incrementAndGet();
            workload.stats().add("fault: " + fault, 1);
            // Long enough, sometimes, to outlast the clients' timeouts (SQLite's 5 s busy wait among them).
            sleepUntil(Math.min(end, System.nanoTime() + random.nextLong(1_000, 8_000) * 1_000_000));
            backends.heal();
        }
    }

    private static void sleepUntil(long until) {
        long left = until - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(left / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void progress(HeapSampler.Sample sample, SoakWorkload workload, AtomicLong faults) {
        out.printf(
                Locale.ROOT,
                "soak: minute %.0f: heap after GC %.1f MB, %d faults injected, %d messages acknowledged, %d problems%n",
                sample.minute(),
                sample.bytes() / 1e6,
                faults.get(),
                workload.stats().counts().getOrDefault("messages acknowledged (with replays)", 0L),
                workload.stats().problemCount());
    }

    private void printSummary(
            long start,
            SoakWorkload workload,
            Map<String, Long> figures,
            FsckReport fsck,
            HeapSampler heap,
            ErrorCounter errors,
            List<String> failed) {
        out.printf(
                Locale.ROOT,
                "%nsoak summary (%s backends, %d writers, %.1f minutes)%n",
                options.backends(),
                options.writers(),
                (System.nanoTime() - start) / 60e9);
        out.println("requests and events:");
        workload.stats().counts().forEach((name, value) -> out.printf(Locale.ROOT, "  %-58s %,d%n", name, value));
        out.println("longest time to an answer other than 503, retries included (ms):");
        workload.stats()
                .longestMillis()
                .forEach((name, value) -> out.printf(Locale.ROOT, "  %-58s %,d%n", name, value));
        out.println("acknowledged equals stored:");
        figures.forEach((name, value) -> out.printf(Locale.ROOT, "  %-58s %,d%n", name, value));
        out.printf(
                Locale.ROOT,
                "fsck: %s (%d tasks, %d segments, %d messages, %d orphans past grace, %d scheduled and %d overdue deletions)%n",
                fsck.clean() ? "clean" : "NOT CLEAN",
                fsck.tasks(),
                fsck.segments(),
                fsck.messages(),
                fsck.orphans(),
                fsck.scheduledDeletions(),
                fsck.overdueDeletions());
        out.print("heap after GC (MB) by minute:");
        heap.samples().forEach(s -> out.printf(Locale.ROOT, " %.1f=%.1f", s.minute(), s.bytes() / 1e6));
        out.println();
        out.printf(
                Locale.ROOT,
                "errors logged by Strata: %d (by other libraries in this process, such as the bench's S3Proxy: %d)%n",
                errors.strata.get(),
                errors.others.get());
        if (failed.isEmpty()) {
            out.println("soak: PASS");
        } else {
            out.println("soak: FAIL");
            failed.stream().limit(20).forEach(f -> out.println("  - " + f));
        }
    }

    /** Logs of expected failures (every injected fault) would drown the output: keep errors only, and count them. */
    private static ErrorCounter quietLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (System.getenv("STRATA_LOG_LEVEL") == null) {
            root.setLevel(Level.ERROR);
        }
        ErrorCounter counter = new ErrorCounter();
        counter.setContext(root.getLoggerContext());
        counter.start();
        root.addAppender(counter);
        return counter;
    }

    /** Counts error events: Strata's own, and those of the other libraries in the process. */
    private static final class ErrorCounter extends AppenderBase<ILoggingEvent> {
        final AtomicLong strata = new AtomicLong();
        final AtomicLong others = new AtomicLong();

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                (event.getLoggerName().startsWith("dev.strata") ? strata : others).incrementAndGet();
            }
        }
    }

    private static void join(List<Thread> threads) {
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void delete(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
