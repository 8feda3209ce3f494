package dev.strata.store;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts new objects of a task in the content tier under fresh random keys, for compaction, and removes one again when its commit recorded nothing. Writing comes first
 * and committing second, so metadata never references an object that is not durable. Thread-safe.
 */
final class SegmentWriter {
    private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);

    private final ContentTier content;

    SegmentWriter(ContentTier content) {
        this.content = content;
    }

    /** A durable object that no metadata references yet. */
    record Written(long objectId, String key) {}

    /**
     * Stores the object under a new key of the task and returns once it is durable.
     *
     * @throws BackendUnavailableException when the content tier cannot store it
     */
    Written write(String taskId, byte[] object) {
        long objectId = ThreadLocalRandom.current().nextLong();
        String key = ContentKeys.segment(taskId, objectId);
        content.put(key, object);
        return new Written(objectId, key);
    }

    /**
     * Removes an object whose commit certainly recorded nothing (the task was gone, every message
     * lost a race, a concurrent compaction won). Only then: after a commit that threw, the commit
     * may still have applied, so such an object is left to orphan collection, which asks metadata
     * first. A content tier that refuses now only delays the removal: orphan collection finds the
     * object later, so the failure is logged and absorbed.
     */
    void discard(Written written) {
        try {
            content.delete(List.of(written.key()));
        } catch (BackendUnavailableException e) {
            log.warn(
                    "could not remove unreferenced segment {}; orphan collection will: {}",
                    written.key(),
                    e.getMessage());
        }
    }
}
