package dev.strata.tier.content;

import java.util.Collection;
import java.util.Optional;

/**
 * Object storage for immutable segment objects. Strata writes each key once and never rewrites
 * it, so implementations need no conditional writes or versioning.
 *
 * <p>Implementations are thread-safe. Keys come from {@link ContentKeys} only, so they are
 * already safe for any backend; implementations still refuse a key that would escape their root.
 */
public interface ContentTier extends AutoCloseable {

    /**
     * Stores {@code bytes} under {@code key} and returns only once they are durable. Writing the
     * same key again with the same bytes is harmless.
     *
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot store it
     */
    void put(String key, byte[] bytes);

    /**
     * Reads an object whole.
     *
     * @return the bytes, or empty when no object has that key
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot be read
     */
    Optional<byte[]> get(String key);

    /**
     * Reads {@code length} bytes of an object starting at {@code offset}: one frame of a segment
     * object, without fetching the rest (a positional read of a file, a ranged GET on S3).
     *
     * @return exactly {@code length} bytes, or empty when no object has that key
     * @throws dev.strata.model.CorruptContentException when the object is shorter than {@code offset + length}
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot be read
     * @throws IllegalArgumentException when the offset is negative or the length not positive
     */
    Optional<byte[]> get(String key, long offset, int length);

    /**
     * Deletes the objects; keys that do not exist are ignored. Not atomic across keys: on failure
     * some may already be gone, and calling again finishes the job.
     *
     * @throws dev.strata.model.BackendUnavailableException when the backend cannot delete
     */
    void delete(Collection<String> keys);

    /**
     * Checks that the backend answers, for readiness probes.
     *
     * @throws dev.strata.model.BackendUnavailableException when it does not
     */
    void check();

    /** A short description for logs and the readiness report, without secrets. */
    String describe();

    @Override
    default void close() {}
}
