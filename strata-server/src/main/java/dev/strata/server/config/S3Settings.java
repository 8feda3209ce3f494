package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach an S3-compatible object store. The secret key never appears in {@link #toString()}.
 *
 * @param endpoint e.g. {@code https://<account>.r2.cloudflarestorage.com} or {@code http://127.0.0.1:9000}; empty for AWS
 */
public record S3Settings(Optional<String> endpoint, String region, Optional<String> accessKeyId,
                         Optional<String> secretAccessKey, boolean pathStyle, int maxConnections, Duration timeout) {
    public S3Settings {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(region, "region is null");
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(secretAccessKey, "secretAccessKey is null");
        requireNonNull(timeout, "timeout is null");
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new ConfigException("STRATA_S3_ACCESS_KEY_ID and STRATA_S3_SECRET_ACCESS_KEY must be set together");
        }
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint.orElse("aws") + ", region=" + region + ", accessKeyId="
                + accessKeyId.orElse("") + ", secretAccessKey=" + (secretAccessKey.isPresent() ? "***" : "")
                + ", pathStyle=" + pathStyle + ", maxConnections=" + maxConnections + ", timeout=" + timeout + "]";
    }
}
