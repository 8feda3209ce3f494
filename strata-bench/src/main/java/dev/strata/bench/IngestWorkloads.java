package dev.strata.bench;

import static dev.strata.bench.WorkloadTools.json;
import static dev.strata.bench.WorkloadTools.reseq;
import static dev.strata.bench.WorkloadTools.runConcurrently;

import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.store.TaskMessageStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Ingest figures: append latency as a task grows, and throughput through the store API and through HTTP. */
final class IngestWorkloads extends BenchWorkload {
    static final int[] LATENCY_POINTS = {10, 100, 1000, 4000};

    IngestWorkloads(BenchEnvironment environment, long seed, Sizes sizes, Consumer<String> log) {
        super(environment, seed, sizes, log);
    }

    /** Append latency as one task grows, and content bytes written per message byte; Strata and baseline. */
    Map<String, Object> appendGrowth() {
        Map<String, Object> result = new LinkedHashMap<>();
        TaskMessageStore store = environment.store(true);
        OriginalDesign baseline = new OriginalDesign(environment.content, environment.cache());
        Map<Integer, List<Double>> strataSamples = new HashMap<>();
        Map<Integer, List<Double>> baselineSamples = new HashMap<>();
        long rawBytes = 0;
        long strataBytes = 0;
        long baselineBytes = 0;
        long compactionBytes = 0;
        for (int run = 0; run < sizes.latencyTasks(); run++) {
            TraceGenerator generator = new TraceGenerator(seed + run);
            String task = "growth-" + run;
            store.createTask(task);
            List<List<NewMessage>> batches = new ArrayList<>();
            for (long seq = 1; seq <= sizes.latencyLength(); seq += 10) {
                List<NewMessage> batch = new ArrayList<>();
                for (long s = seq; s < seq + 10; s++) {
                    batch.add(generator.message(s));
                }
                batches.add(batch);
            }
            for (List<NewMessage> batch : batches) {
                rawBytes += batch.stream().mapToLong(TraceGenerator::rawBytes).sum();
                long end = batch.get(batch.size() - 1).seq();
                long before = environment.counter("strata.content.written.bytes");
                long start = System.nanoTime();
                store.append(task, batch);
                record(strataSamples, end, (System.nanoTime() - start) / 1e6);
                strataBytes += environment.counter("strata.content.written.bytes") - before;
                before = environment.counter("strata.content.written.bytes");
                start = System.nanoTime();
                baseline.append(task, batch);
                record(baselineSamples, end, (System.nanoTime() - start) / 1e6);
                baselineBytes += environment.counter("strata.content.written.bytes") - before;
            }
            store.seal(task);
            compactionBytes += store.compact(task).bytesWritten();
            log.accept("append growth: task " + (run + 1) + "/" + sizes.latencyTasks() + " done");
        }
        for (int point : LATENCY_POINTS) {
            if (point > sizes.latencyLength()) {
                continue;
            }
            Stats strata = Stats.of(strataSamples.getOrDefault(point, List.of()));
            Stats original = Stats.of(baselineSamples.getOrDefault(point, List.of()));
            result.put(
                    "append_at_" + point,
                    Map.of(
                            "strata_ms",
                            strata,
                            "baseline_ms",
                            original,
                            "ratio_median",
                            original.median() / strata.median()));
        }
        Stats first = Stats.of(strataSamples.getOrDefault(LATENCY_POINTS[0], List.of()));
        Stats last = Stats.of(strataSamples.getOrDefault(Math.min(4000, sizes.latencyLength()), List.of()));
        Stats baseFirst = Stats.of(baselineSamples.getOrDefault(LATENCY_POINTS[0], List.of()));
        Stats baseLast = Stats.of(baselineSamples.getOrDefault(Math.min(4000, sizes.latencyLength()), List.of()));
        result.put("strata_growth_last_over_first", last.median() / first.median());
        result.put("baseline_growth_last_over_first", baseLast.median() / baseFirst.median());
        result.put("raw_message_bytes", rawBytes);
        result.put("strata_bytes_written_per_message_byte", (double) strataBytes / rawBytes);
        result.put(
                "strata_bytes_written_per_message_byte_with_compaction",
                (double) (strataBytes + compactionBytes) / rawBytes);
        result.put("baseline_bytes_written_per_message_byte", (double) baselineBytes / rawBytes);
        result.put("curve", curve(strataSamples, baselineSamples));
        store.close();
        return result;
    }

    private static void record(Map<Integer, List<Double>> samples, long end, double millis) {
        for (int point : LATENCY_POINTS) {
            // Samples near each point: the appends that end within 5% (at least one batch) below it.
            if (end <= point && end > point - Math.max(10, point / 20)) {
                samples.computeIfAbsent(point, p -> new ArrayList<>()).add(millis);
            }
        }
        samples.computeIfAbsent(-(int) end, p -> new ArrayList<>()).add(millis);
    }

    private static List<double[]> curve(Map<Integer, List<Double>> strata, Map<Integer, List<Double>> baseline) {
        List<double[]> points = new ArrayList<>();
        for (var entry : strata.entrySet()) {
            if (entry.getKey() < 0 && baseline.containsKey(entry.getKey())) {
                points.add(new double[] {
                    -entry.getKey(),
                    Stats.of(entry.getValue()).median(),
                    Stats.of(baseline.get(entry.getKey())).median()
                });
            }
        }
        points.sort((a, b) -> Double.compare(a[0], b[0]));
        return points;
    }

    /** Messages per second through the store API, many tasks, batches of 20, several writers. */
    Map<String, Object> ingestInProcess() {
        TaskMessageStore store = environment.store(true);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < sizes.ingestTasks(); i++) {
            tasks.add("ingest-" + i);
            store.createTask("ingest-" + i);
        }
        List<List<NewMessage>> batches = fixedBatches(sizes.ingestMessages(), 20);
        long bytes = batches.stream()
                .flatMap(List::stream)
                .mapToLong(TraceGenerator::rawBytes)
                .sum();
        long puts = environment.requests("put");
        double seconds = runConcurrently(
                8,
                batches.size(),
                i -> store.append(tasks.get(i % tasks.size()), reseq(batches.get(i), i / tasks.size())));
        long requests = environment.requests("put") - puts;
        store.close();
        return Map.of(
                "messages",
                sizes.ingestMessages(),
                "seconds",
                seconds,
                "messages_per_second",
                sizes.ingestMessages() / seconds,
                "mb_per_second",
                bytes / 1e6 / seconds,
                "content_puts_per_1000_messages",
                requests * 1000.0 / sizes.ingestMessages());
    }

    /** Messages per second through HTTP on loopback, batches of 20, several clients. */
    Map<String, Object> ingestHttp() {
        Map<String, String> env = new HashMap<>(environment.serverEnvironment());
        env.put("STRATA_PORT", "0");
        env.put("STRATA_HOST", "127.0.0.1");
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(env)).serve()) {
            String workspace = strata.directory().createWorkspace("bench").id();
            String user =
                    strata.directory().createUser("bench@example.com", "bench").id();
            strata.directory().addMember(workspace, user, Role.OWNER);
            String token = strata.tokens().createMachineToken(user, workspace);
            List<String> tasks = new ArrayList<>();
            for (int i = 0; i < sizes.ingestTasks(); i++) {
                String id = java.util.UUID.randomUUID().toString();
                strata.store().createTask(id);
                strata.directory().createTask(id, workspace, java.util.Optional.empty(), "");
                tasks.add(id);
            }
            List<List<NewMessage>> batches = fixedBatches(sizes.ingestMessages(), 20);
            List<byte[]> bodies = new ArrayList<>();
            long bodyBytes = 0;
            for (int i = 0; i < batches.size(); i++) {
                byte[] body = json(reseq(batches.get(i), i / tasks.size()));
                bodies.add(body);
                bodyBytes += body.length;
            }
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + strata.port() + "/api/daemon/tasks/";
            AtomicLong failures = new AtomicLong();
            double seconds = runConcurrently(32, bodies.size(), i -> {
                HttpRequest request = HttpRequest.newBuilder(
                                URI.create(base + tasks.get(i % tasks.size()) + "/messages"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                        .build();
                try {
                    if (client.send(request, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            != 200) {
                        failures.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            });
            return Map.of(
                    "messages",
                    sizes.ingestMessages(),
                    "seconds",
                    seconds,
                    "messages_per_second",
                    sizes.ingestMessages() / seconds,
                    "mb_per_second",
                    bodyBytes / 1e6 / seconds,
                    "failed_requests",
                    failures.get(),
                    "clients",
                    32,
                    "batch",
                    20);
        }
    }
}
