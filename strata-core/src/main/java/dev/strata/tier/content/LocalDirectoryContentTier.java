package dev.strata.tier.content;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.model.BackendUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Content in a local directory: the embedded default. Each object is a file written to a
 * temporary name, forced to disk, renamed into place and its directory forced, so a crash never
 * leaves a partial object under a real key. Thread-safe.
 */
public final class LocalDirectoryContentTier implements ListableContent {
    /** Directories remembered as durable; forgetting one only costs a few extra fsyncs. */
    private static final int DURABLE_DIRECTORIES = 100_000;

    private final Path root;
    /**
     * Directories whose entries, up to the root, are known to be on disk: added only after the
     * fsyncs completed. A put into a directory not in here forces the chain itself, even if another
     * request created the directory and is still forcing it, so no put is acknowledged before the
     * directory holding its object is durable.
     */
    private final Cache<Path, Boolean> durableDirectories =
            Caffeine.newBuilder().maximumSize(DURABLE_DIRECTORIES).build();

    private final LongAdder directorySyncs = new LongAdder();

    /**
     * Puts into a directory hold its stripe's read lock, and removing the emptied directory holds
     * the write lock, until the cache forgot it. Without this, a put could find the directory in
     * the cache from before its removal, while another put recreated it and had not yet forced its
     * parent: the put would be acknowledged with its directory entry not yet on disk.
     */
    private final ReadWriteLock[] directoryLocks = new ReadWriteLock[64];

    {
        for (int i = 0; i < directoryLocks.length; i++) {
            directoryLocks[i] = new ReentrantReadWriteLock();
        }
    }

    public LocalDirectoryContentTier(Path root) {
        requireNonNull(root, "root is null");
        try {
            this.root =
                    Files.createDirectories(root.toAbsolutePath().normalize()).toRealPath();
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot create content directory " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String key, byte[] bytes) {
        Path target = resolve(key);
        Path directory = target.getParent();
        // A concurrent delete may remove the task directory between creating it and writing the
        // temporary file; a second attempt recreates it.
        for (int attempt = 1; ; attempt++) {
            Path temporary = directory.resolve(target.getFileName() + ".tmp-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            Lock putting = lockOf(directory).readLock();
            putting.lock();
            try {
                ensureDirectory(directory);
                try (FileChannel channel =
                        FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                forceDirectory(directory);
                return;
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw unavailable("put", key, e);
                }
            } catch (IOException e) {
                deleteQuietly(temporary);
                throw unavailable("put", key, e);
            } finally {
                putting.unlock();
            }
        }
    }

    private ReadWriteLock lockOf(Path directory) {
        return directoryLocks[Math.floorMod(directory.hashCode(), directoryLocks.length)];
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path path = resolve(key);
        try {
            return Optional.of(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unavailable("get", key, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key, long offset, int length) {
        ContentRanges.requireValid(offset, length);
        Path path = resolve(key);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw ContentRanges.tooShort(key, offset, length, channel.size());
                }
            }
            return Optional.of(buffer.array());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unavailable("get", key, e);
        }
    }

    @Override
    public void delete(Collection<String> keys) {
        for (String key : keys) {
            Path path = resolve(key);
            try {
                Files.deleteIfExists(path);
                removeIfEmpty(path.getParent());
            } catch (IOException e) {
                throw unavailable("delete", key, e);
            }
        }
    }

    @Override
    public void check() {
        if (!Files.isDirectory(root) || !Files.isWritable(root)) {
            throw new BackendUnavailableException("content directory " + root + " is not a writable directory", null);
        }
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    /**
     * Lists in key order, walking only the directories the page needs (see
     * {@link LocalDirectoryListing}). Temporary files left by a crash are listed too (they never
     * match a segment key), so orphan collection removes them.
     */
    @Override
    public List<StoredObject> list(String prefix, String startAfter, int limit) {
        requireNonNull(prefix, "prefix is null");
        requireNonNull(startAfter, "startAfter is null");
        return new LocalDirectoryListing(root, prefix, startAfter, Math.min(limit, MAX_PAGE)).page();
    }

    /** Resolves a key below the root, refusing anything that would land outside it. */
    Path resolve(String key) {
        requireNonNull(key, "key is null");
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.contains("\0")) {
            throw new IllegalArgumentException("invalid content key: " + key);
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("content key escapes the content directory: " + key);
        }
        return path;
    }

    private void ensureDirectory(Path directory) throws IOException {
        if (durableDirectories.getIfPresent(directory) != null && Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory);
        // Make the directory entries durable before any object inside them is acknowledged,
        // whichever request created them.
        for (Path p = directory; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            forceDirectory(p.getParent());
        }
        durableDirectories.put(directory, Boolean.TRUE);
    }

    /** Directory fsyncs so far, for tests of the durability path. */
    long directorySyncs() {
        return directorySyncs.sum();
    }

    private void removeIfEmpty(Path directory) {
        if (directory == null || directory.equals(root) || !directory.startsWith(root)) {
            return;
        }
        Lock removing = lockOf(directory).writeLock();
        removing.lock();
        try {
            if (Files.deleteIfExists(directory)) {
                durableDirectories.invalidate(directory);
            }
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // Still holds other objects of the task, or another delete got there first.
        } catch (IOException e) {
            // An empty directory left behind is harmless; the next delete in it tries again.
        } finally {
            removing.unlock();
        }
    }

    private void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
        directorySyncs.increment();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Temporary files never carry a real key; fsck removes leftovers.
        }
    }

    private BackendUnavailableException unavailable(String operation, String key, IOException e) {
        return new BackendUnavailableException(
                "content " + operation + " of " + key + " in " + root + " failed: " + e, e);
    }
}
