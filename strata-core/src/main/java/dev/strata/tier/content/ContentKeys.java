package dev.strata.tier.content;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.strata.model.InvalidInputException;
import java.util.HexFormat;

/**
 * The one place where caller input becomes part of an object key or file path.
 *
 * <p>Layout under the configured root or prefix: {@code tasks/<encoded task id>/<16 hex digits>.seg}
 * for objects of one task, {@code shared/<16 hex digits>.seg} for shared write-ahead objects.
 * The task id is kept readable: ASCII letters, digits, {@code -} and {@code _} pass through and
 * every other byte of its UTF-8 form becomes {@code ~XX}. So no input can produce {@code /},
 * {@code .}, {@code ..} or a control character, and distinct ids never share a key.
 */
public final class ContentKeys {
    public static final int MAX_TASK_ID_LENGTH = 128;
    /** The prefix every segment key starts with: list under it to see every task's objects. */
    public static final String TASKS = "tasks/";
    /** The prefix of every shared write-ahead object ({@code shared/<16 hex digits>.seg}), frames of many tasks. */
    public static final String SHARED = "shared/";

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private ContentKeys() {}

    /** The key of one segment object of a task. */
    public static String segment(String taskId, long objectId) {
        return TASKS + encodeTaskId(taskId) + "/" + HexFormat.of().toHexDigits(objectId) + ".seg";
    }

    /** The key of a shared object that one flush wrote with frames of many tasks. */
    public static String shared(long objectId) {
        return SHARED + HexFormat.of().toHexDigits(objectId) + ".seg";
    }

    /**
     * Reads a shared object's key back into its object id.
     *
     * @return empty for anything that is not a shared key in the documented layout
     */
    public static java.util.OptionalLong parseShared(String key) {
        if (!key.startsWith(SHARED) || !key.endsWith(".seg") || key.length() != SHARED.length() + 16 + 4) {
            return java.util.OptionalLong.empty();
        }
        String hex = key.substring(SHARED.length(), SHARED.length() + 16);
        if (!hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(HexFormat.fromHexDigitsToLong(hex));
    }

    /** The key prefix under which every segment of a task lives. */
    public static String taskPrefix(String taskId) {
        return TASKS + encodeTaskId(taskId) + "/";
    }

    /**
     * Checks a task id against the store's rules.
     *
     * @throws InvalidInputException when it is empty, longer than {@value #MAX_TASK_ID_LENGTH} characters or has a lone surrogate
     */
    public static String requireValidTaskId(String taskId) {
        if (taskId == null || taskId.isEmpty()) {
            throw new InvalidInputException("task id must not be empty");
        }
        if (taskId.length() > MAX_TASK_ID_LENGTH) {
            throw new InvalidInputException(
                    "task id must be at most " + MAX_TASK_ID_LENGTH + " characters, got " + taskId.length());
        }
        // UTF-8 turns a lone surrogate into '?', so two ids would share one key.
        for (int i = 0; i < taskId.length(); i++) {
            char c = taskId.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < taskId.length()
                    && Character.isLowSurrogate(taskId.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInputException("task id must be valid Unicode (it has a lone surrogate)");
            }
        }
        return taskId;
    }

    /** A segment key taken apart. */
    public record SegmentKey(String taskId, long objectId) {}

    /**
     * Reads a key back into its task id and object id.
     *
     * @return empty for anything that is not a segment key in the documented layout
     */
    public static java.util.Optional<SegmentKey> parse(String key) {
        if (!key.startsWith(TASKS) || !key.endsWith(".seg")) {
            return java.util.Optional.empty();
        }
        String rest = key.substring(TASKS.length(), key.length() - ".seg".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0 || rest.length() - slash - 1 != 16) {
            return java.util.Optional.empty();
        }
        try {
            long objectId = HexFormat.fromHexDigitsToLong(rest.substring(slash + 1));
            String taskId = decodeTaskId(rest.substring(0, slash));
            return segment(taskId, objectId).equals(key)
                    ? java.util.Optional.of(new SegmentKey(taskId, objectId))
                    : java.util.Optional.empty();
        } catch (IllegalArgumentException | InvalidInputException e) {
            return java.util.Optional.empty();
        }
    }

    private static String decodeTaskId(String encoded) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '~') {
                bytes.write(HexFormat.fromHexDigits(encoded, i + 1, i + 3));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(UTF_8);
    }

    static String encodeTaskId(String taskId) {
        requireValidTaskId(taskId);
        StringBuilder out = new StringBuilder(taskId.length() + 8);
        for (byte b : taskId.getBytes(UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('~').append(HEX.toHexDigits((byte) c));
            }
        }
        return out.toString();
    }
}
