package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentKeysTest {
    @TempDir
    Path root;

    @Test
    void segmentKey_keepsPlainIdsReadable() {
        assertThat(ContentKeys.segment("3f2a-b_C9", 255)).isEqualTo("tasks/3f2a-b_C9/00000000000000ff.seg");
    }

    @Test
    void segmentKey_encodesEverythingThatCouldNavigate() {
        assertThat(ContentKeys.segment("../../etc", 1)).isEqualTo("tasks/~2E~2E~2F~2E~2E~2Fetc/0000000000000001.seg");
        assertThat(ContentKeys.segment("..", 1)).startsWith("tasks/~2E~2E/");
        assertThat(ContentKeys.segment("a\\b\u0000", 1)).startsWith("tasks/a~5Cb~00/");
        assertThat(ContentKeys.segment("ü", 1)).startsWith("tasks/~C3~BC/");
    }

    @Property(tries = 500)
    void everyKey_staysInsideTheContentRoot(@ForAll @StringLength(min = 1, max = 128) String taskId) {
        String key = ContentKeys.segment(taskId, 42);

        assertThat(key).matches("tasks/[A-Za-z0-9_~-]+/[0-9a-f]{16}\\.seg");
        // jqwik does not inject @TempDir, and resolving touches no file, so any root will do.
        Path propertyRoot = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Path resolved = new LocalDirectoryContentTier(propertyRoot).resolve(key);
        assertThat(resolved.normalize().startsWith(propertyRoot))
                .as(resolved.toString())
                .isTrue();
    }

    /**
     * Task ids built from fragments that sit next to each other in the encoding: a literal
     * {@code ~} and the escapes it could be mistaken for, upper and lower case hex digits, bytes
     * at the edges of UTF-8 (U+0080, U+07FF, U+0800, U+FFFF, a supplementary character), the
     * characters that pass through, and ids that are prefixes of each other.
     */
    @Provide
    Arbitrary<String> nearCollidingTaskIds() {
        Arbitrary<String> fragment = Arbitraries.of(
                "~",
                "~7E",
                "~7e",
                "7E",
                "~2F",
                "/",
                "2F",
                "2f",
                "a",
                "A",
                "-",
                "_",
                ".",
                "\u0000",
                "\u007f",
                "\u0080",
                "\u00ff",
                "\u07ff",
                "\u0800",
                "\uffff",
                "\ud83d\ude00",
                "\u00c3",
                "~C3",
                "~c3");
        return fragment.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join("", parts));
    }

    @Property(tries = 2000)
    void nearCollidingTaskIds_mapToDistinctKeysThatParseBack(
            @ForAll("nearCollidingTaskIds") String a, @ForAll("nearCollidingTaskIds") String b) {
        String keyA = ContentKeys.segment(a, 7);
        String keyB = ContentKeys.segment(b, 7);

        assertThat(ContentKeys.parse(keyA))
                .as("parse of %s (id %s)", keyA, a)
                .contains(new ContentKeys.SegmentKey(a, 7));
        assertThat(ContentKeys.parse(keyB))
                .as("parse of %s (id %s)", keyB, b)
                .contains(new ContentKeys.SegmentKey(b, 7));
        if (!a.equals(b)) {
            assertThat(keyA).as("keys of distinct ids %s and %s", a, b).isNotEqualTo(keyB);
            assertThat(ContentKeys.taskPrefix(a))
                    .as("prefix of %s against key of %s", a, b)
                    .satisfies(prefix -> assertThat(keyB).doesNotStartWith(prefix));
            assertThat(ContentKeys.taskPrefix(b))
                    .as("prefix of %s against key of %s", b, a)
                    .satisfies(prefix -> assertThat(keyA).doesNotStartWith(prefix));
        }
    }

    @Property(tries = 300)
    void distinctTaskIds_neverShareAPrefix(
            @ForAll @StringLength(min = 1, max = 20) String a, @ForAll @StringLength(min = 1, max = 20) String b) {
        if (!a.equals(b)) {
            assertThat(ContentKeys.taskPrefix(a))
                    .as("prefixes of %s and %s", a, b)
                    .isNotEqualTo(ContentKeys.taskPrefix(b));
        }
    }

    @Test
    void taskIdsWithALoneSurrogate_areRefused_becauseUtf8WouldTurnThemIntoAQuestionMark() {
        // Without this rule "a\ud800" and "a?" would both encode to "a~3F": one key for two tasks.
        for (String id : List.of("a\ud800", "\udc00", "x\ud83d")) {
            assertThatThrownBy(() -> ContentKeys.requireValidTaskId(id))
                    .as("id %s", id.codePoints().boxed().toList())
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("task id must be valid Unicode (it has a lone surrogate)");
        }
        assertThat(ContentKeys.segment("a?", 1)).isEqualTo("tasks/a~3F/0000000000000001.seg");
    }

    @Test
    void invalidTaskIds_areRefused() {
        assertThatThrownBy(() -> ContentKeys.segment("", 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("task id must not be empty");
        assertThatThrownBy(() -> ContentKeys.segment("x".repeat(129), 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("task id must be at most 128 characters, got 129");
    }

    @Test
    void localDirectory_refusesKeysThatEscape() {
        LocalDirectoryContentTier tier = new LocalDirectoryContentTier(root);
        Set<String> refused = new HashSet<>();
        for (String key : List.of("../x", "/etc/passwd", "a/../../x", "", "a\\b", ".")) {
            try {
                tier.resolve(key);
            } catch (IllegalArgumentException e) {
                refused.add(key);
            }
        }
        assertThat(refused).containsExactlyInAnyOrder("../x", "/etc/passwd", "a/../../x", "", "a\\b", ".");
    }
}
