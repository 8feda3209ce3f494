package dev.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.NewMessage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The original design (one JSON array per task, read, appended to and rewritten on each append;
 * see {@link OriginalDesign}) behind a minimal HTTP endpoint on the same server stack as Strata
 * (Javalin on Jetty, virtual threads), over the run's content tier and cache. It has no auth and
 * no metadata rows, which only flatters it. Concurrent appends to one task race (read, modify,
 * write), as they did in the original; the sweep counts the acknowledged messages that lost.
 */
final class OriginalSweepTarget implements SweepTarget {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final BenchEnvironment environment;
    private final OriginalDesign design;
    private final Javalin app;
    private final String base;

    OriginalSweepTarget(BenchEnvironment environment) {
        this.environment = environment;
        this.design = new OriginalDesign(environment.content, environment.cache());
        this.app = Javalin.create(config -> {
                    config.concurrency.useVirtualThreads = true;
                    config.startup.showJavalinBanner = false;
                    config.startup.showOldJavalinVersionWarning = false;
                    config.http.maxRequestSize = 64L << 20;
                    config.routes.post("/tasks/{taskId}/messages", this::append);
                })
                .start("127.0.0.1", 0);
        this.base = "http://127.0.0.1:" + app.port() + "/tasks/";
    }

    private void append(Context ctx) {
        List<NewMessage> batch;
        try {
            batch = parse(ctx.bodyAsBytes());
        } catch (RuntimeException | java.io.IOException e) {
            ctx.status(400).contentType("application/json").result("{\"error\":\"invalid body\"}");
            return;
        }
        try {
            design.append(ctx.pathParam("taskId"), batch);
        } catch (RuntimeException e) {
            ctx.status(503).contentType("application/json").result("{\"error\":\"storage unavailable\"}");
            return;
        }
        ctx.status(200).contentType("application/json").result("{\"status\":\"ok\",\"accepted\":" + batch.size() + "}");
    }

    private static List<NewMessage> parse(byte[] body) throws java.io.IOException {
        JsonNode messages = MAPPER.readTree(body).path("messages");
        List<NewMessage> batch = new ArrayList<>(messages.size());
        for (JsonNode m : messages) {
            batch.add(new NewMessage(
                    m.path("seq").asLong(),
                    m.path("type").asText(),
                    m.path("tool").asText(),
                    m.path("call_id").asText(),
                    m.path("content").asText(),
                    m.has("input") ? Optional.of(m.get("input").toString()) : Optional.empty(),
                    m.path("output").asText()));
        }
        return batch;
    }

    @Override
    public String name() {
        return "original";
    }

    @Override
    public List<String> createTasks(String prefix, int count) {
        List<String> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tasks.add(prefix + "-" + UUID.randomUUID());
        }
        return tasks;
    }

    @Override
    public RawHttpClient.Post append(String taskId) {
        return RawHttpClient.Post.to(
                URI.create(base + taskId + "/messages"), Map.of("Content-Type", "application/json"));
    }

    @Override
    public BitSet storedSeqs(String taskId) {
        BitSet seqs = new BitSet();
        design.seqs(taskId).forEach(seq -> seqs.set(Math.toIntExact(seq)));
        return seqs;
    }

    @Override
    public long contentPuts() {
        return environment.requests("put");
    }

    @Override
    public void close() {
        app.stop();
    }
}
