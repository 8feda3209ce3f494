package dev.strata.bench;

import dev.strata.model.NewMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every bench workload shares: the backends, the seed its generated traces start from, how big
 * it is, and where progress lines go. Each subclass measures one kind of figure and returns it as a
 * map that goes into results.json as is, for Strata and the original design in the same run.
 */
abstract class BenchWorkload {
    final BenchEnvironment environment;
    final long seed;
    final Sizes sizes;
    final Consumer<String> log;

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

    BenchWorkload(BenchEnvironment environment, long seed, Sizes sizes, Consumer<String> log) {
        this.environment = environment;
        this.seed = seed;
        this.sizes = sizes;
        this.log = log;
    }

    /** {@code messages} generated messages in batches of {@code batchSize}, the same for every run of a seed. */
    List<List<NewMessage>> fixedBatches(int messages, int batchSize) {
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
}
