package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import java.nio.file.Path;

/**
 * Where content objects live, parsed once from {@code STRATA_CONTENT_URL}: a local directory or an
 * S3 bucket. {@link #toString()} never shows a secret.
 */
public sealed interface ContentBackend {
    /** Objects are files under {@code directory}; from {@code file:<directory>}. */
    record LocalDirectory(Path directory) implements ContentBackend {
        public LocalDirectory {
            requireNonNull(directory, "directory is null");
        }

        @Override
        public String toString() {
            return "file:" + directory;
        }
    }

    /** Objects are S3 objects under {@code location}; from {@code s3://<bucket>[/<prefix>]}. */
    record S3(S3Location location, S3Settings settings) implements ContentBackend {
        public S3 {
            requireNonNull(location, "location is null");
            requireNonNull(settings, "settings is null");
        }

        @Override
        public String toString() {
            // S3Settings' own toString hides the secret key but shows the endpoint as given.
            return location + " S3Settings[endpoint="
                    + Redaction.maskUrl(settings.endpoint().orElse("aws"))
                    + ", region=" + settings.region() + ", accessKeyId="
                    + settings.accessKeyId().orElse("")
                    + ", secretAccessKey=" + (settings.secretAccessKey().isPresent() ? Redaction.MASK : "")
                    + ", pathStyle=" + settings.pathStyle() + ", maxConnections=" + settings.maxConnections()
                    + ", timeout=" + settings.timeout() + "]";
        }
    }

    /**
     * Parses {@code STRATA_CONTENT_URL}.
     *
     * @param s3 how to reach S3, used only by an {@code s3://} URL
     * @throws ConfigException naming the variable, if the URL is of no known form or names no directory or bucket
     */
    static ContentBackend parse(String url, S3Settings s3) {
        if (url.equals("file:") || url.equals("s3://")) {
            throw new ConfigException("STRATA_CONTENT_URL names no directory or bucket: '" + url + "'");
        }
        if (url.startsWith("file:")) {
            return new LocalDirectory(Path.of(url.substring("file:".length())));
        }
        if (url.startsWith("s3://")) {
            try {
                return new S3(S3Location.parse(url), s3);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("STRATA_CONTENT_URL: " + e.getMessage());
            }
        }
        throw new ConfigException("STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got '"
                + Redaction.maskUrl(url) + "'");
    }
}
