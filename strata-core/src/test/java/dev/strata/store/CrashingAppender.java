package dev.strata.store;

import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link AppendCrashTest}: appends batches of {@value #BATCH} forever and
 * prints {@code acked N} after each append returns, until the test kills it with SIGKILL.
 */
public final class CrashingAppender {
    static final int BATCH = 5;

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        long next = Long.parseLong(args[1]);
        Database database = new Database(DatabaseSettings.of("jdbc:sqlite:" + directory.resolve("metadata.db")));
        TaskMessageStore store = StoreFixture.store(database, new LocalDirectoryContentTier(directory.resolve("objects")), new NoSegmentCache());
        store.createTask("crash");
        for (long seq = next; ; seq += BATCH) {
            List<NewMessage> batch = new ArrayList<>();
            for (long s = seq; s < seq + BATCH; s++) {
                batch.add(dev.strata.testing.Messages.text(s, "message " + s + " " + "x".repeat((int) (s % 3000))));
            }
            store.append("crash", batch);
            System.out.println("acked " + (seq + BATCH - 1));
            System.out.flush();
        }
    }
}
