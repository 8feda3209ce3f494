package dev.strata.tier.content;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A content tier that can list its objects in key order: used by orphan collection (a bounded
 * page at a time, resuming after the last key seen) and by fsck.
 */
public interface ListableContent {

    /**
     * @return up to {@code limit} objects whose keys start with {@code prefix} and sort after
     *     {@code startAfter} (empty for the beginning), in key order
     */
    List<StoredObject> list(String prefix, String startAfter, int limit);

    /** An object as a listing shows it. */
    record StoredObject(String key, long size, Instant lastModified) {
        public StoredObject {
            requireNonNull(key, "key is null");
            requireNonNull(lastModified, "lastModified is null");
        }
    }
}
