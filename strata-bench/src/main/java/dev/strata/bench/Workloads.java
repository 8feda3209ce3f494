package dev.strata.bench;

import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.Role;
import dev.strata.store.TaskMessageStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The bench's workloads. Each returns its figures as a map that goes into results.json as is;
 * every figure that applies is measured for Strata and the original design in the same run.
 */
final class Workloads {
    static final int[] LATENCY_POINTS = {10, 100, 1000, 4000};

    private final BenchEnvironment environment;
    private final long seed;
    private final Sizes sizes;
    private final Consumer<String> log;

    /** How big each workload is; {@link #quick()} keeps a smoke run short. */
    record Sizes(
            int latencyTasks,
            int latencyLength,
            int ingestTasks,
            int ingestMessages,
            int readRepetitions,
            int footprintMessages) {
        static Sizes full() {
            return new Sizes(4, 4000, 200, 200_000, 50, 1_000_000);
        }

        static Sizes quick() {
            return new Sizes(1, 400, 10, 2_000, 5, 5_000);
        }
    }

    Workloads(BenchEnvironment environment, long seed, Sizes sizes, Consumer<String> log) {
        this.environment = environment;
        this.seed = seed;
        this.sizes = sizes;
        this.log = log;
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

    /** Full read of a 1,000-message task and a since-poll of its last 10, warm and cold, before and after compaction. */
    Map<String, Object> reads() {
        TaskMessageStore warm = environment.store(true);
        TaskMessageStore cold = environment.store(false);
        OriginalDesign baselineWarm = new OriginalDesign(environment.content, environment.cache());
        OriginalDesign baselineCold =
                new OriginalDesign(environment.content, new dev.strata.tier.cache.NoSegmentCache());
        TraceGenerator generator = new TraceGenerator(seed + 7);
        warm.createTask("read");
        for (List<NewMessage> batch : generator.task(1000)) {
            warm.append("read", batch);
            baselineWarm.append("read", batch);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("segments_before_compaction", warm.task("read").orElseThrow().liveSegments());
        result.put("before_compaction", readFigures(warm, cold));
        warm.seal("read");
        warm.compact("read");
        warm.purgePendingDeletions();
        result.put("after_compaction", readFigures(warm, cold));
        long gets = environment.requests("get");
        cold.list("read", MessageQuery.all());
        result.put("content_gets_per_cold_task_read_after_compaction", environment.requests("get") - gets);
        result.put("baseline_full_warm_ms", time(sizes.readRepetitions(), () -> baselineWarm.list("read")));
        result.put("baseline_full_cold_ms", time(sizes.readRepetitions(), () -> baselineCold.list("read")));
        warm.close();
        cold.close();
        return result;
    }

    private Map<String, Object> readFigures(TaskMessageStore warm, TaskMessageStore cold) {
        MessageQuery all = MessageQuery.all();
        MessageQuery poll = MessageQuery.all().after(990);
        long gets = environment.requests("get");
        cold.list("read", all);
        long coldGets = environment.requests("get") - gets;
        return Map.of(
                "full_warm_ms", time(sizes.readRepetitions(), () -> warm.list("read", all)),
                "full_cold_ms", time(sizes.readRepetitions(), () -> cold.list("read", all)),
                "poll_last_10_warm_ms", time(sizes.readRepetitions(), () -> warm.list("read", poll)),
                "poll_last_10_cold_ms", time(sizes.readRepetitions(), () -> cold.list("read", poll)),
                "content_gets_per_cold_full_read", coldGets);
    }

    /** Metadata and content footprint of many realistic tasks, then sealed and compacted. */
    Map<String, Object> footprint() {
        TaskMessageStore store = environment.store(false);
        TraceGenerator generator = new TraceGenerator(seed + 11);
        List<String> tasks = new ArrayList<>();
        List<List<NewMessage>> work = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        long messages = 0;
        long rawBytes = 0;
        while (messages < sizes.footprintMessages()) {
            String task = "footprint-" + tasks.size();
            int length = (int) Math.min(generator.taskLength(), sizes.footprintMessages() - messages);
            store.createTask(task);
            tasks.add(task);
            for (List<NewMessage> batch : generator.task(Math.max(1, length))) {
                work.add(batch);
                owners.add(task);
                messages += batch.size();
                rawBytes += batch.stream().mapToLong(TraceGenerator::rawBytes).sum();
            }
        }
        long puts = environment.requests("put");
        long written = environment.counter("strata.content.written.bytes");
        // Per task the batches go in order; tasks are spread over writers by task.
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        for (int i = 0; i < work.size(); i++) {
            byTask.computeIfAbsent(owners.get(i), t -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> perTask = new ArrayList<>(byTask.values());
        AtomicLong done = new AtomicLong();
        double appendSeconds = runConcurrently(4, perTask.size(), t -> {
            for (int index : perTask.get(t)) {
                store.append(owners.get(index), work.get(index));
            }
            long total = done.addAndGet(perTask.get(t).size());
            if (t % 200 == 0) {
                log.accept("footprint: " + total + " of " + work.size() + " batches appended");
            }
        });
        long appendPuts = environment.requests("put") - puts;
        long appendBytes = environment.counter("strata.content.written.bytes") - written;
        long metadataBytes = environment.metadataBytes(false);
        long beforeCompaction =
                environment.requests("put") + environment.requests("get") + environment.requests("delete");
        long compactWritten = environment.counter("strata.content.written.bytes");
        double compactSeconds = runConcurrently(2, tasks.size(), i -> {
            store.seal(tasks.get(i));
            store.compact(tasks.get(i));
        });
        store.purgePendingDeletions();
        long metadataAfterCompaction = environment.metadataBytes(false);
        long metadataVacuumed = environment.metadataBytes(true);
        long compactionRequests = environment.requests("put")
                + environment.requests("get")
                + environment.requests("delete")
                - beforeCompaction;
        long objects = 0;
        for (String task : tasks) {
            objects += store.task(task).orElseThrow().liveSegments();
        }
        long storedBytes = environment.counter("strata.content.written.bytes") - compactWritten;
        long deleteBefore = environment.requests("delete");
        store.delete(tasks.subList(0, Math.max(1, tasks.size() / 10)));
        long deletedMessages = 0;
        long deleteRequests = environment.requests("delete") - deleteBefore;
        for (int i = 0; i < Math.max(1, tasks.size() / 10); i++) {
            deletedMessages += byTask.get(tasks.get(i)).stream()
                    .mapToLong(index -> work.get(index).size())
                    .sum();
        }
        store.close();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("messages", messages);
        result.put("tasks", tasks.size());
        result.put("append_seconds", appendSeconds);
        result.put("append_messages_per_second", messages / appendSeconds);
        result.put("metadata_bytes", metadataBytes);
        result.put("metadata_bytes_per_message", (double) metadataBytes / messages);
        result.put("metadata_bytes_per_message_after_compaction", (double) metadataAfterCompaction / messages);
        result.put("metadata_bytes_per_message_after_vacuum", (double) metadataVacuumed / messages);
        result.put("raw_message_bytes", rawBytes);
        result.put("content_bytes_per_message_before_compaction", (double) appendBytes / messages);
        result.put("content_bytes_per_message_after_compaction", (double) storedBytes / messages);
        result.put("compression_ratio", (double) rawBytes / storedBytes);
        result.put("objects_per_finished_task", (double) objects / tasks.size());
        result.put("content_puts_per_1000_appended_messages", appendPuts * 1000.0 / messages);
        result.put("compaction_seconds", compactSeconds);
        result.put("compaction_requests_per_1000_messages", compactionRequests * 1000.0 / messages);
        result.put("deletion_requests_per_1000_messages", deleteRequests * 1000.0 / Math.max(1, deletedMessages));
        return result;
    }

    private List<List<NewMessage>> fixedBatches(int messages, int batchSize) {
        TraceGenerator generator = new TraceGenerator(seed + 3);
        List<List<NewMessage>> batches = new ArrayList<>();
        for (int i = 0; i < messages; i += batchSize) {
            List<NewMessage> batch = new ArrayList<>();
            for (int j = 0; j < batchSize && i + j < messages; j++) {
                batch.add(generator.message(j));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** The batch with seqs moved to the {@code round}-th window of its task, so every append is new. */
    private static List<NewMessage> reseq(List<NewMessage> batch, int round) {
        List<NewMessage> moved = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            moved.add(new NewMessage(
                    round * 20L + m.seq(), m.type(), m.tool(), m.callId(), m.content(), m.input(), m.output()));
        }
        return moved;
    }

    private static byte[] json(List<NewMessage> batch) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.createObjectNode();
        var array = root.putArray("messages");
        for (NewMessage m : batch) {
            var node = array.addObject();
            node.put("seq", m.seq())
                    .put("type", m.type())
                    .put("tool", m.tool())
                    .put("call_id", m.callId())
                    .put("content", m.content())
                    .put("output", m.output());
            m.input().ifPresent(input -> {
                try {
                    node.set("input", mapper.readTree(input));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code count} jobs on {@code threads} threads; returns the wall-clock seconds. */
    private static double runConcurrently(int threads, int count, java.util.function.IntConsumer job) {
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        job.accept((int) i);
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("workload failed: " + e.getMessage(), e);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Median and p99 milliseconds of {@code repetitions} runs after as many warm-up runs. */
    private static Stats time(int repetitions, Runnable work) {
        for (int i = 0; i < repetitions; i++) {
            work.run();
        }
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            work.run();
            samples.add((System.nanoTime() - start) / 1e6);
        }
        return Stats.of(samples);
    }
}
