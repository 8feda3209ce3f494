package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 under real crashes: a child JVM appends continuously and is killed with SIGKILL at
 * a random moment, several times. After each kill, every acknowledged batch is fully readable and
 * no batch is partly visible: the stored seqs are always a whole number of batches from 0.
 */
class AppendCrashTest {
    @TempDir
    Path directory;

    @Test
    void killedWriter_losesNothingAcknowledgedAndLeavesNoPartialBatch() throws Exception {
        long lastAcked = -1;
        for (int round = 0; round < 4; round++) {
            long resumeFrom = storedSeqs().size();
            lastAcked = Math.max(lastAcked, runAndKill(resumeFrom, 3 + ThreadLocalRandom.current().nextInt(40)));

            List<Long> stored = storedSeqs();
            assertThat(stored.size() % CrashingAppender.BATCH).as("no partial batch visible").isZero();
            assertThat(stored).containsExactlyElementsOf(LongStream.range(0, stored.size()).boxed().toList());
            assertThat(stored.size() - 1L).as("every acknowledged message survived").isGreaterThanOrEqualTo(lastAcked);
        }
    }

    /** Starts the appender, lets it acknowledge {@code acks} batches, kills it, and returns the last acknowledged seq. */
    private long runAndKill(long from, int acks) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashingAppender.class.getName(), directory.toString(), Long.toString(from))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long lastAcked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            int seen = 0;
            String line;
            while (seen < acks && (line = out.readLine()) != null) {
                lastAcked = Long.parseLong(line.substring("acked ".length()));
                seen++;
            }
            child.destroyForcibly();
            // Acknowledgements printed before the kill landed count too, when they can still be read;
            // missing some only makes the check below weaker, never wrong.
            try {
                while ((line = out.readLine()) != null) {
                    lastAcked = Long.parseLong(line.substring("acked ".length()));
                }
            } catch (java.io.IOException closedByKill) {
                // The pipe went away with the process.
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lastAcked).as("the child acknowledged something").isGreaterThanOrEqualTo(from);
        return lastAcked;
    }

    private List<Long> storedSeqs() {
        try (Database database = new Database(DatabaseSettings.of("jdbc:sqlite:" + directory.resolve("metadata.db")));
             TaskMessageStore store = StoreFixture.store(database, new LocalDirectoryContentTier(directory.resolve("objects")), new NoSegmentCache())) {
            store.createTask("crash");
            List<Long> seqs = new ArrayList<>();
            for (TaskMessage message : store.list("crash", MessageQuery.all()).messages()) {
                assertThat(message.content()).startsWith("message " + message.seq() + " ");
                seqs.add(message.seq());
            }
            return seqs;
        }
    }
}
