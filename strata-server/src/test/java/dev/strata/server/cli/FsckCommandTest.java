package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.testing.StrataCli;
import dev.strata.server.testing.StrataCli.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata fsck} as an operator runs it, in its own process, right after a task was compacted. */
class FsckCommandTest {
    @TempDir
    Path directory;

    private Map<String, String> environment() {
        return Map.of(
                "STRATA_DB_URL",
                "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL",
                "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL",
                "none",
                "STRATA_LOG_LEVEL",
                "WARN");
    }

    private Result strata(String... args) throws IOException, InterruptedException {
        return StrataCli.run(environment(), args);
    }

    /** Issue 9, defect 10: fsck exited 1 for STRATA_COMPACTION_GRACE after every completed task. */
    @Test
    void fsck_rightAfterACompaction_isClean_andRepairWaitsForTheGraceUnlessNow() throws Exception {
        try (Strata strata = Strata.open(StrataConfig.fromEnvironment(environment()))) {
            strata.store().createTask("done");
            for (long seq = 1; seq <= 3; seq++) {
                strata.store()
                        .append(
                                "done",
                                List.of(new NewMessage(seq, "text", "", "", "step " + seq, Optional.empty(), "")));
            }
            strata.store().seal("done");
            strata.store().compact("done");
        }

        Result check = strata("fsck");
        assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
        assertThat(check.out())
                .contains("scheduled deletions: 3 (not a problem)", "overdue deletions: 0", "status: clean");

        Result repair = strata("fsck", "--repair");
        assertThat(repair.exitCode()).as(repair.out() + repair.err()).isZero();
        assertThat(repair.out()).contains("deletions finished: 0");

        Result nowAlone = strata("fsck", "--now");
        assertThat(nowAlone.exitCode()).isEqualTo(2);
        assertThat(nowAlone.err()).contains("--now needs --repair");

        Result now = strata("fsck", "--repair", "--now");
        assertThat(now.exitCode()).as(now.out() + now.err()).isZero();
        assertThat(now.out()).contains("deletions finished: 3", "status: clean");
        assertThat(strata("fsck").out()).contains("scheduled deletions: 0");
    }
}
