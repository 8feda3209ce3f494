package dev.strata.bench;

import static dev.strata.bench.WorkloadTools.time;

import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.store.TaskMessageStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Read figures: a full read and a since-poll, warm and cold cache, before and after compaction. */
final class ReadWorkload extends BenchWorkload {
    ReadWorkload(BenchEnvironment environment, long seed, Sizes sizes, Consumer<String> log) {
        super(environment, seed, sizes, log);
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
        result.put("cold_poll_last_10_content_bytes_after_compaction", coldPollBytes(990));
        long gets = environment.requests("get");
        cold.list("read", MessageQuery.all());
        result.put("content_gets_per_cold_task_read_after_compaction", environment.requests("get") - gets);
        result.put("baseline_full_warm_ms", time(sizes.readRepetitions(), () -> baselineWarm.list("read")));
        result.put("baseline_full_cold_ms", time(sizes.readRepetitions(), () -> baselineCold.list("read")));
        warm.close();
        cold.close();
        return result;
    }

    /**
     * Bytes a cold poll of the last 10 messages reads from the content tier: a fresh store with no
     * cache of any kind, a since-poll after {@code since} (the store has no tail query; the task's
     * seqs are 1 to 1,000). Counted by the content tier's metering decorator.
     */
    private long coldPollBytes(long since) {
        try (TaskMessageStore fresh = environment.store(false)) {
            long before = environment.counter("strata.content.read.bytes");
            int read = fresh.list("read", MessageQuery.all().after(since))
                    .messages()
                    .size();
            if (read != 10) {
                throw new IllegalStateException("a poll of the last 10 messages read " + read);
            }
            return environment.counter("strata.content.read.bytes") - before;
        }
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
}
