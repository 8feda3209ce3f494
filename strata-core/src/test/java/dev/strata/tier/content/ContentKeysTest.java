package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.store.InvalidInputException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
        assertThat(resolved.normalize().startsWith(propertyRoot)).as(resolved.toString()).isTrue();
    }

    @Property(tries = 300)
    void distinctTaskIds_neverShareAPrefix(@ForAll @StringLength(min = 1, max = 20) String a, @ForAll @StringLength(min = 1, max = 20) String b) {
        if (!a.equals(b)) {
            assertThat(ContentKeys.taskPrefix(a)).isNotEqualTo(ContentKeys.taskPrefix(b));
        }
    }

    @Test
    void invalidTaskIds_areRefused() {
        assertThatThrownBy(() -> ContentKeys.segment("", 1)).isInstanceOf(InvalidInputException.class).hasMessage("task id must not be empty");
        assertThatThrownBy(() -> ContentKeys.segment("x".repeat(129), 1)).isInstanceOf(InvalidInputException.class)
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
