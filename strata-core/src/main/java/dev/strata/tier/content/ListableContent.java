package dev.strata.tier.content;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A content tier that can also list its objects in key order (an optional ability, as Iceberg's
 * {@code SupportsPrefixOperations}): used by orphan collection (a bounded page at a time, resuming
 * after the last key seen) and by fsck. Every real backend has it, and so does the metering
 * decorator, so a composition root holds one object per tier.
 */
public interface ListableContent extends ContentTier {
    /** Most objects one page holds, whatever the limit asked (S3's own cap). */
    int MAX_PAGE = 1000;

    /**
     * Lists one page. S3's listing is the reference: keys in ascending order, and a page holds
     * {@code min(limit, MAX_PAGE)} objects unless the listing ends with it. Objects written or
     * deleted during paging may or may not show.
     *
     * @return up to {@code min(limit, MAX_PAGE)} objects whose keys start with {@code prefix} and sort after
     *     {@code startAfter} (empty for the beginning), in key order; empty when there are none
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot list
     */
    List<StoredObject> list(String prefix, String startAfter, int limit);

    /**
     * Lists every object under the prefix, page by page: for prefixes known to be small (one
     * task's objects, the shared write-ahead objects).
     *
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot list
     */
    default List<StoredObject> listAll(String prefix) {
        List<StoredObject> objects = new ArrayList<>();
        String after = "";
        for (List<StoredObject> page = list(prefix, after, MAX_PAGE);
                !page.isEmpty();
                page = list(prefix, after, MAX_PAGE)) {
            objects.addAll(page);
            after = page.get(page.size() - 1).key();
        }
        return objects;
    }

    /** An object as a listing shows it. */
    record StoredObject(String key, long size, Instant lastModified) {
        public StoredObject {
            requireNonNull(key, "key is null");
            requireNonNull(lastModified, "lastModified is null");
        }
    }
}
