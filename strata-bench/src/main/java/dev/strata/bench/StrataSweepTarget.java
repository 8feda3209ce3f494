package dev.strata.bench;

import dev.strata.model.MessageQuery;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A real Strata server (HTTP, auth, the whole write path) on the run's backends, configured as a
 * user would with environment variables and defaults otherwise. Appends go to the daemon endpoint
 * with a machine token; content PUTs are read from the server's own Micrometer meters, so they
 * include whatever its background workers (compaction) wrote meanwhile.
 */
final class StrataSweepTarget implements SweepTarget {
    private final Strata strata;
    private final String workspace;
    private final String token;
    private final String base;

    StrataSweepTarget(BenchEnvironment environment) {
        Map<String, String> env = new HashMap<>(environment.serverEnvironment());
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        strata = Strata.open(StrataConfig.fromEnvironment(env)).serve();
        workspace = strata.directory().createWorkspace("sweep").id();
        String user =
                strata.directory().createUser("sweep@example.com", "sweep").id();
        strata.directory().addMember(workspace, user, Role.OWNER);
        token = strata.tokens().createMachineToken(user, workspace);
        base = "http://127.0.0.1:" + strata.port() + "/api/daemon/tasks/";
    }

    @Override
    public String name() {
        return "strata";
    }

    @Override
    public List<String> createTasks(String prefix, int count) {
        List<String> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + UUID.randomUUID();
            strata.store().createTask(id);
            strata.directory().createTask(id, workspace, Optional.empty(), "");
            tasks.add(id);
        }
        return tasks;
    }

    @Override
    public RawHttpClient.Post append(String taskId) {
        return RawHttpClient.Post.to(
                URI.create(base + taskId + "/messages"),
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"));
    }

    @Override
    public BitSet storedSeqs(String taskId) {
        BitSet seqs = new BitSet();
        strata.store().forEachMessage(taskId, MessageQuery.all(), message -> seqs.set(Math.toIntExact(message.seq())));
        return seqs;
    }

    @Override
    public long contentPuts() {
        return timed("content", "put").count();
    }

    /**
     * Where a flush's time went so far, from the server's own meters: flushes, appends (frames)
     * per flush, the mean time of its object write and of its metadata transaction, and the time
     * it spent putting frames in the cache (per flush: the whole put, however many calls); and
     * the consolidation moves of open tasks that ran meanwhile, whose transactions take the same
     * database (on SQLite, the same single writer) as the flushes.
     */
    FlushStats flushStats() {
        var frames = strata.registry().find("strata.flush.frames").summary();
        return new FlushStats(
                frames == null ? 0 : frames.count(),
                frames == null ? 0 : frames.totalAmount(),
                timed("content", "put"),
                timed("metadata", "commitFlush"),
                timed("cache", "put"),
                timed("metadata", "catalog.moveSegments"));
    }

    /** How often a tier operation ran so far, and its total time. */
    private record Timed(long count, double millis) {
        double meanSince(Timed before) {
            long n = count - before.count;
            return n == 0 ? Double.NaN : (millis - before.millis) / n;
        }
    }

    private Timed timed(String tier, String operation) {
        var timers = strata.registry()
                .find("strata.tier.operation")
                .tag("tier", tier)
                .tag("operation", operation)
                .timers();
        return new Timed(
                timers.stream().mapToLong(t -> t.count()).sum(),
                timers.stream()
                        .mapToDouble(t -> t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                        .sum());
    }

    /** Cumulative flush meters; {@link #since} gives the figures of one point. */
    record FlushStats(long flushes, double frames, Timed puts, Timed commits, Timed cachePuts, Timed moves) {
        Map<String, Object> since(FlushStats before) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            long n = flushes - before.flushes;
            out.put("flushes", n);
            out.put("appends_per_flush", n == 0 ? Double.NaN : (frames - before.frames) / n);
            out.put("content_put_mean_ms", puts.meanSince(before.puts));
            out.put("flush_commit_mean_ms", commits.meanSince(before.commits));
            out.put("cache_put_ms_per_flush", n == 0 ? Double.NaN : (cachePuts.millis - before.cachePuts.millis) / n);
            out.put("moves", moves.count - before.moves.count);
            out.put("move_commit_mean_ms", moves.meanSince(before.moves));
            return out;
        }
    }

    @Override
    public void close() {
        strata.close();
    }
}
