package dev.strata.lifecycle;

import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class ScaledLifecycleFaultTest extends AbstractLifecycleFaultTest {
    @TempDir
    static Path directory;
    static S3ProxyServer server;
    private String schema;
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
        schema = TestServices.uniqueName("lifecycle");
        return TestServices.postgres(schema);
    }

    @Override
    protected ContentTier openContent() {
        return new S3ContentTier(S3Location.parse("s3://" + server.createBucket("lifecycle") + "/p"), server.settings());
    }

    @Override
    protected SegmentCache openCache() {
        prefix = TestServices.uniqueName("lifecycle") + ":";
        return new RedisSegmentCache(TestServices.REDIS_URL, prefix, Duration.ofMinutes(5), Duration.ofSeconds(1), 8 << 20);
    }

    @Override
    protected void stopContent() {
        server.stop();
    }

    @Override
    protected void startContent() {
        server.start();
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
    }
}
