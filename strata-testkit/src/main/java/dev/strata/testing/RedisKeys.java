package dev.strata.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

/** Test housekeeping on the shared Redis server: counts and removes one test's keys by prefix. */
public final class RedisKeys {
    private RedisKeys() {}

    public static long count(String prefix) {
        return scan(prefix, false);
    }

    public static void deleteAll(String prefix) {
        scan(prefix, true);
    }

    private static long scan(String prefix, boolean delete) {
        RedisClient client = RedisClient.create(TestServices.REDIS_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            var commands = connection.sync();
            long seen = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = commands.scan(
                        cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                seen += page.getKeys().size();
                if (delete && !page.getKeys().isEmpty()) {
                    commands.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return seen;
        } finally {
            client.shutdown();
        }
    }
}
