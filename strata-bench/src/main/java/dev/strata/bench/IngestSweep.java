package dev.strata.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ingest sweep: Strata's real HTTP server and the original design behind its own minimal
 * endpoint, on the same backends in the same run, each driven by the same clients at 1, 8, 64 and
 * 256 connections over as many tasks (batches of 20 messages). Points alternate between the two
 * systems, so a change in the machine's load hits both alike. Each point warms up on tasks of its
 * own, then measures on fresh tasks for a fixed time. After each Strata point every task is read
 * back and the run fails if an acknowledged message is missing; for the original design the
 * missing ones are reported (concurrent appends to a task overwrite each other there).
 */
final class IngestSweep {
    static final List<Integer> CONNECTIONS = List.of(1, 8, 64, 256);

    /**
     * @param connections the points, in connections (and tasks) per point
     * @param seconds measured time per point
     * @param warmupSeconds load before each point, on tasks the point does not measure
     */
    record Settings(List<Integer> connections, double seconds, double warmupSeconds, double jvmWarmupSeconds) {
        Settings {
            connections = List.copyOf(connections);
            if (connections.isEmpty() || connections.stream().anyMatch(c -> c < 1)) {
                throw new IllegalArgumentException("connections must be positive, got " + connections);
            }
            if (!(seconds > 0) || warmupSeconds < 0 || jvmWarmupSeconds < 0) {
                throw new IllegalArgumentException("seconds must be positive, got " + seconds);
            }
        }

        static Settings of(List<Integer> connections, boolean quick, Double seconds) {
            double measured = seconds != null ? seconds : quick ? 1.0 : 10.0;
            // A server runs for days: before the first point each system takes 64 connections for
            // twice the measured time (at most 20 s), so the JIT has compiled the path the points
            // measure; without it the first points measured a cold JVM (a lone 64-connection point
            // ran at 15,900 msg/s where a warm one ran at 25,000 to 39,000).
            return new Settings(
                    connections, measured, Math.min(3.0, measured * 0.3), quick ? 0 : Math.min(20.0, 2 * measured));
        }
    }

    private final BenchEnvironment environment;
    private final long seed;
    private final Settings settings;
    private final Consumer<String> log;

    IngestSweep(BenchEnvironment environment, long seed, Settings settings, Consumer<String> log) {
        this.environment = environment;
        this.seed = seed;
        this.settings = settings;
        this.log = log;
    }

    Map<String, Object> run() {
        SweepBodies bodies = new SweepBodies(seed + 12, 256);
        List<Map<String, Object>> points = new ArrayList<>();
        try (SweepTarget strata = new StrataSweepTarget(environment);
                SweepTarget original = new OriginalSweepTarget(environment)) {
            if (settings.jvmWarmupSeconds() > 0) {
                for (SweepTarget target : List.of(strata, original)) {
                    warmJvm(target, bodies);
                }
            }
            for (int connections : settings.connections()) {
                for (SweepTarget target : List.of(strata, original)) {
                    points.add(point(target, connections, bodies));
                }
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backends", environment.kind.name().toLowerCase(Locale.ROOT));
        result.put("batch", SweepBodies.BATCH);
        result.put("seconds_per_point", settings.seconds());
        result.put("warmup_seconds_per_point", settings.warmupSeconds());
        result.put("jvm_warmup_seconds_per_system", settings.jvmWarmupSeconds());
        result.put(
                "original_design_path",
                "HTTP: its own minimal Javalin endpoint (no auth, no metadata) over the same content tier and cache");
        result.put("points", points);
        result.put("ratios", ratios(points));
        return result;
    }

    /** Load that is not measured (its acknowledged messages are still checked). */
    private void warmJvm(SweepTarget target, SweepBodies bodies) {
        int connections = 64;
        List<String> tasks = target.createTasks("jvm", connections);
        SweepLoad.Outcome load =
                SweepLoad.run(target, tasks, connections, settings.jvmWarmupSeconds(), bodies, seed + 7);
        AcknowledgedCheck check = AcknowledgedCheck.compare(load.acknowledged(), target::storedSeqs);
        if (target instanceof StrataSweepTarget) {
            check.requireNothingLost(target.name() + " while warming the JVM");
        }
        log.accept(String.format(
                Locale.ROOT,
                "sweep: %s warmed up for %.0f s at %d connections (not measured)",
                target.name(),
                load.seconds(),
                connections));
    }

    private Map<String, Object> point(SweepTarget target, int connections, SweepBodies bodies) {
        String where = target.name() + " at " + connections + " connections";
        List<String> warmupTasks = target.createTasks("warm" + connections, connections);
        SweepLoad.Outcome warmup =
                SweepLoad.run(target, warmupTasks, connections, settings.warmupSeconds(), bodies, seed + connections);
        List<String> tasks = target.createTasks("sweep" + connections, connections);
        long putsBefore = target.contentPuts();
        StrataSweepTarget.FlushStats flushesBefore = target instanceof StrataSweepTarget s ? s.flushStats() : null;
        SweepLoad.Outcome load =
                SweepLoad.run(target, tasks, connections, settings.seconds(), bodies, seed + 1000 + connections);
        long puts = target.contentPuts() - putsBefore;
        Map<String, Object> flushes =
                target instanceof StrataSweepTarget s ? s.flushStats().since(flushesBefore) : Map.of();
        Map<String, java.util.BitSet> acknowledged = new LinkedHashMap<>(warmup.acknowledged());
        acknowledged.putAll(load.acknowledged());
        AcknowledgedCheck check = AcknowledgedCheck.compare(acknowledged, target::storedSeqs);
        if (target instanceof StrataSweepTarget) {
            check.requireNothingLost(where);
        }
        Stats latency = Stats.of(load.latenciesMs());
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("system", target.name());
        point.put("connections", connections);
        point.put("tasks", tasks.size());
        point.put("seconds", load.seconds());
        point.put("requests", load.requests());
        point.put("failed_requests", load.failedRequests() + warmup.failedRequests());
        Map<String, Long> failures = new java.util.TreeMap<>(warmup.failures());
        load.failures().forEach((kind, count) -> failures.merge(kind, count, Long::sum));
        point.put("failures_by_kind", failures);
        point.put("messages", load.messages());
        point.put("messages_per_second", load.messages() / load.seconds());
        point.put("mb_per_second", load.rawBytes() / 1e6 / load.seconds());
        point.put("p50_ms", latency.median());
        point.put("p99_ms", latency.p99());
        point.put("content_puts", puts);
        point.put("puts_per_1000_messages", load.messages() == 0 ? Double.NaN : puts * 1000.0 / load.messages());
        if (!flushes.isEmpty()) {
            point.put("flush", flushes);
        }
        point.put("acknowledged", check.acknowledged());
        point.put("stored", check.stored());
        point.put("lost", check.lost());
        point.put("lost_fraction", check.acknowledged() == 0 ? 0.0 : (double) check.lost() / check.acknowledged());
        log.accept(String.format(
                Locale.ROOT,
                "sweep: %s: %,.0f messages/s, p50 %.1f ms, p99 %.1f ms, %.1f PUTs per 1,000, failed %s, %d of %d acknowledged lost%s",
                where,
                load.messages() / load.seconds(),
                latency.median(),
                latency.p99(),
                load.messages() == 0 ? Double.NaN : puts * 1000.0 / load.messages(),
                failures,
                check.lost(),
                check.acknowledged(),
                flushes.isEmpty() ? "" : ", flushes " + flushes));
        return point;
    }

    /** Strata's messages/s over the original design's, per connection count. */
    private static List<Map<String, Object>> ratios(List<Map<String, Object>> points) {
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Map<String, Object> strata : points) {
            if (!"strata".equals(strata.get("system"))) {
                continue;
            }
            for (Map<String, Object> original : points) {
                if ("original".equals(original.get("system"))
                        && original.get("connections").equals(strata.get("connections"))) {
                    double s = (double) strata.get("messages_per_second");
                    double o = (double) original.get("messages_per_second");
                    Map<String, Object> ratio = new LinkedHashMap<>();
                    ratio.put("connections", strata.get("connections"));
                    ratio.put("strata_over_original", o == 0 ? Double.NaN : s / o);
                    ratios.add(ratio);
                }
            }
        }
        return ratios;
    }
}
