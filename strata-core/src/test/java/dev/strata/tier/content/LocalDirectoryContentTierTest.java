package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.store.BackendUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryContentTierTest extends AbstractContentTierContractTest {
    @TempDir
    Path root;

    @Override
    protected ContentTier open() {
        return new LocalDirectoryContentTier(root);
    }

    @Test
    void put_leavesNoTemporaryFiles() throws IOException {
        tier.put(ContentKeys.segment("task", 1), randomBytes(1000));

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).containsExactly("0000000000000001.seg");
        }
    }

    @Test
    void delete_removesTheEmptyTaskDirectory() {
        tier.put(ContentKeys.segment("task", 1), randomBytes(10));

        tier.delete(List.of(ContentKeys.segment("task", 1)));

        assertThat(root.resolve("tasks/task")).doesNotExist();
    }

    @Test
    void put_whenTheDirectoryCannotBeCreated_isBackendUnavailable() throws IOException {
        Files.writeString(root.resolve("tasks"), "a file where a directory belongs");

        assertThatThrownBy(() -> tier.put(ContentKeys.segment("task", 1), new byte[] {1}))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("content put of tasks/task/0000000000000001.seg");
    }

    @Test
    void check_failsWhenTheRootIsNoLongerADirectory() throws IOException {
        LocalDirectoryContentTier broken = new LocalDirectoryContentTier(root.resolve("replaced"));
        Files.delete(root.resolve("replaced"));
        Files.writeString(root.resolve("replaced"), "a file where the content directory was");

        assertThatThrownBy(broken::check).as("check of %s", broken.describe())
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("is not a writable directory");
    }
}
