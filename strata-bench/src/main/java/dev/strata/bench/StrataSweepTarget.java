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
        return strata
                .registry()
                .find("strata.tier.operation")
                .tag("tier", "content")
                .tag("operation", "put")
                .timers()
                .stream()
                .mapToLong(timer -> timer.count())
                .sum();
    }

    @Override
    public void close() {
        strata.close();
    }
}
