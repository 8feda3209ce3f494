package dev.strata.tier.content.s3;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach an S3-compatible object store. The secret key never appears in {@link #toString()}.
 *
 * @param endpoint e.g. {@code https://<account>.r2.cloudflarestorage.com} or {@code http://127.0.0.1:9000}; empty for AWS
 * @param accessKeyId with {@code secretAccessKey}; both empty means the SDK's default credential chain
 * @param maxConnections bound of the HTTP connection pool
 * @param timeout bound of one API call including the SDK's own retries
 */
public record S3Settings(
        Optional<String> endpoint,
        String region,
        Optional<String> accessKeyId,
        Optional<String> secretAccessKey,
        boolean pathStyle,
        int maxConnections,
        Duration timeout) {
    public S3Settings {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(region, "region is null");
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(secretAccessKey, "secretAccessKey is null");
        requireNonNull(timeout, "timeout is null");
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new IllegalArgumentException("access key id and secret access key must be given together");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
        }
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint.orElse("aws") + ", region=" + region + ", accessKeyId="
                + accessKeyId.orElse("") + ", secretAccessKey=" + (secretAccessKey.isPresent() ? "***" : "")
                + ", pathStyle=" + pathStyle + ", maxConnections=" + maxConnections + ", timeout=" + timeout + "]";
    }
}
