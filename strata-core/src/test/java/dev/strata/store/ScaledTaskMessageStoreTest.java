package dev.strata.store;

import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Every store invariant on the scale-out backends: PostgreSQL, S3 (S3Proxy) and Redis. */
class ScaledTaskMessageStoreTest extends AbstractTaskMessageStoreTest {
    @TempDir
    static Path directory;

    static S3ProxyServer server;
    private String schema;
    private String bucket;
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = new S3ProxyServer(directory);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Database openDatabase() {
        schema = TestServices.uniqueName("scaled");
        return TestDatabases.postgres(schema);
    }

    @Override
    protected ListableContent openContent() {
        bucket = server.createBucket("scaled");
        return new S3ContentTier(S3Location.parse("s3://" + bucket + "/strata"), TestS3.settings(server));
    }

    @Override
    protected SegmentCache openCache() {
        prefix = TestServices.uniqueName("scaled") + ":";
        return new RedisSegmentCache(
                TestServices.REDIS_URL, prefix, Duration.ofMinutes(10), Duration.ofSeconds(2), 8 << 20);
    }

    @Override
    protected long objectCount() {
        return server.blobStore().list(bucket, ListContainerOptions.Builder.recursive()).stream()
                .filter(m -> m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB)
                .count();
    }

    @Override
    protected long objectsUnder(String keyPrefix) {
        return server
                .blobStore()
                .list(
                        bucket,
                        ListContainerOptions.Builder.prefix("strata/" + keyPrefix)
                                .recursive())
                .stream()
                .filter(m -> m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB)
                .count();
    }

    /** Redis can be scanned: every key under the task's prefix counts, not only the known ones. */
    @Override
    protected long cacheEntriesUnder(String keyPrefix, java.util.List<String> knownKeys) {
        return RedisKeys.count(prefix + keyPrefix);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
        server.blobStore().deleteContainer(bucket);
    }

    @Override
    protected TaskMessageStore openSecondInstance() {
        // Like TwoInstancesTest: its own pool, S3 client and Redis connection, on the same schema, bucket and prefix.
        Database database = TestDatabases.postgres(schema);
        S3ContentTier secondContent =
                new S3ContentTier(S3Location.parse("s3://" + bucket + "/strata"), TestS3.settings(server));
        RedisSegmentCache secondCache = new RedisSegmentCache(
                TestServices.REDIS_URL, prefix, Duration.ofMinutes(10), Duration.ofSeconds(2), 8 << 20);
        TaskMessageStore second = dev.strata.testing.StoreFixture.store(database, secondContent, secondCache);
        closeAfter.add(second);
        closeAfter.add(secondCache);
        closeAfter.add(secondContent);
        closeAfter.add(database);
        return second;
    }
}
