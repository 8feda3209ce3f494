package dev.strata.lifecycle;

import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a child JVM by {@link LifecycleCrashTest}: compacts or deletes one task and stops dead at
 * the operation's most fragile point (a compaction after its merged object is durable and before
 * its commit; a deletion after its metadata commit and before any object is removed), printing
 * {@code held} and waiting there to be killed with SIGKILL.
 */
public final class CrashingLifecycle {
    private CrashingLifecycle() {}

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        String operation = args[1];
        String taskId = args[2];
        Database database = new Database(DatabaseSettings.of("jdbc:sqlite:" + directory.resolve("metadata.db")));
        HookedContentTier content = new HookedContentTier(new LocalDirectoryContentTier(directory.resolve("objects")));
        TaskMessageStore store = StoreFixture.store(
                database,
                content,
                new NoSegmentCache(),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
        Runnable holdUntilKilled = () -> {
            System.out.println("held");
            System.out.flush();
            while (true) {
                LockSupport.park();
            }
        };
        switch (operation) {
            case "compact" -> {
                content.afterPut(key -> holdUntilKilled.run());
                store.compact(taskId);
            }
            case "delete" -> {
                content.beforeDelete(keys -> holdUntilKilled.run());
                store.delete(List.of(taskId));
            }
            default -> throw new IllegalArgumentException("unknown operation " + operation);
        }
        System.out.println("finished without reaching the crash point");
        System.out.flush();
    }
}
