package dev.strata.lifecycle;

import dev.strata.testing.FaultProxy;
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
import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle faults on PostgreSQL, S3Proxy and Redis; the object store outage is a fault proxy resetting every connection. */
class ScaledLifecycleFaultTest extends AbstractLifecycleFaultTest {
    @TempDir
    static Path directory;

    static S3ProxyServer server;
    static FaultProxy s3Proxy;
    private String schema;
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = new S3ProxyServer(directory);
        s3Proxy = FaultProxy.to(server.endpoint());
    }

    @AfterAll
    static void stopServer() {
        s3Proxy.close();
        server.close();
    }

    @Override
    protected Database openDatabase() {
        schema = TestServices.uniqueName("lifecycle");
        return TestDatabases.postgres(schema);
    }

    @Override
    protected ListableContent openContent() {
        S3Settings direct = TestS3.settings(server);
        S3Settings proxied = new S3Settings(
                Optional.of(s3Proxy.through(server.endpoint())),
                direct.region(),
                direct.accessKeyId(),
                direct.secretAccessKey(),
                direct.pathStyle(),
                direct.maxConnections(),
                direct.timeout());
        return new S3ContentTier(S3Location.parse("s3://" + server.createBucket("lifecycle") + "/p"), proxied);
    }

    @Override
    protected SegmentCache openCache() {
        prefix = TestServices.uniqueName("lifecycle") + ":";
        return new RedisSegmentCache(
                TestServices.REDIS_URL, prefix, Duration.ofMinutes(5), Duration.ofSeconds(1), 8 << 20);
    }

    @Override
    protected void stopContent() {
        s3Proxy.reset();
    }

    @Override
    protected void startContent() {
        s3Proxy.pass();
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(prefix);
    }
}
