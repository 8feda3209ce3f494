package dev.strata.testing;

import dev.strata.tier.content.s3.S3Settings;
import java.time.Duration;
import java.util.Optional;

/** S3 content-tier settings that reach an {@link S3ProxyServer}. */
public final class TestS3 {
    private TestS3() {}

    /** Settings that reach {@code server}, with a short timeout so outages surface fast. */
    public static S3Settings settings(S3ProxyServer server) {
        return new S3Settings(
                Optional.of(server.endpoint()),
                "us-east-1",
                Optional.of(S3ProxyServer.ACCESS_KEY),
                Optional.of(S3ProxyServer.SECRET_KEY),
                true,
                16,
                Duration.ofSeconds(5));
    }
}
