package dev.strata.tier.content.s3;

import static java.util.Objects.requireNonNull;

/**
 * A bucket and a key prefix, parsed from {@code s3://bucket[/prefix]}. The prefix is empty or
 * ends with {@code /}, so content keys append to it directly.
 */
public record S3Location(String bucket, String prefix) {
    public S3Location {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("invalid bucket name '" + bucket + "'");
        }
        if (!prefix.isEmpty()
                && (!prefix.endsWith("/")
                        || prefix.startsWith("/")
                        || prefix.contains("//")
                        || prefix.contains(".."))) {
            throw new IllegalArgumentException("invalid key prefix '" + prefix + "'");
        }
    }

    public static S3Location parse(String url) {
        if (!url.startsWith("s3://")) {
            throw new IllegalArgumentException("not an s3:// URL: " + url);
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return new S3Location(rest, "");
        }
        String prefix = rest.substring(slash + 1);
        while (prefix.endsWith("//")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        return new S3Location(rest.substring(0, slash), prefix);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }
}
