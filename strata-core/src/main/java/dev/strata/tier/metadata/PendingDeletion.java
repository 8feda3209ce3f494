package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A content object queued for deletion. */
public record PendingDeletion(long deletionId, String objectKey, Instant enqueuedAt) {
    public PendingDeletion {
        requireNonNull(objectKey, "objectKey is null");
        requireNonNull(enqueuedAt, "enqueuedAt is null");
    }
}
