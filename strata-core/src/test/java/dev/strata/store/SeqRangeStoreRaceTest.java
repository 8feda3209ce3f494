package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.FrameIndex;
import dev.strata.model.AppendResult;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.testing.IsolatedMetadata;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two instances append overlapping seqs to a few tasks from many threads (so flushes hold several
 * frames of one task and race-loser copies) while both move the open tasks' frames, seal and merge
 * some, and delete one. After each round: every segment row's seq range and count are those of its
 * message rows (schema V8), the index of every consolidated object names, at each live frame's
 * offset, that frame's seq range, and reads return each appended seq once. Meanwhile fsck's check
 * of segment rows against message rows runs over and over and must find nothing.
 */
class SeqRangeStoreRaceTest extends AbstractSharedFlushRaceTest {
    private static final List<String> TASKS = List.of("s0", "s1", "s2", "s3");

    @ParameterizedTest
    @EnumSource(Backends.class)
    void appendsMovesMergesAndDeletesAtOnce_keepSegmentRangesAndObjectIndexes(Backends backends) throws Exception {
        TaskMessageStore a = open(backends, StoreOptions.defaults().withReplacedSegmentGrace(Duration.ofMinutes(5)));
        TaskMessageStore b = reopen(StoreOptions.defaults().withReplacedSegmentGrace(Duration.ofMinutes(5)));
        TASKS.forEach(a::createTask);
        Map<String, Set<Long>> appended = new ConcurrentHashMap<>();
        TASKS.forEach(task -> appended.put(task, new java.util.concurrent.ConcurrentSkipListSet<>()));
        Random random = new Random(42 + backends.ordinal());
        Set<String> deleted = new TreeSet<>();
        for (int round = 0; round < 6; round++) {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String task = TASKS.get(random.nextInt(TASKS.size()));
                long from = round * 30L + random.nextInt(40);
                long to = from + random.nextInt(12);
                TaskMessageStore s = random.nextBoolean() ? a : b;
                String tag = "r" + round + "i" + i;
                work.add(threads.submit(() -> {
                    try {
                        AppendResult result = s.append(task, tagged(tag, from, to));
                        for (long seq = from; seq <= to; seq++) {
                            appended.get(task).add(seq);
                        }
                        return result;
                    } catch (TaskNotFoundException e) {
                        return null; // deleted meanwhile
                    }
                }));
                if (i % 6 == 5) {
                    // Moves (open) or merges (sealed) of a task while appends are in flight.
                    String compacted = TASKS.get(random.nextInt(TASKS.size()));
                    TaskMessageStore c = random.nextBoolean() ? a : b;
                    work.add(threads.submit(() -> {
                        try {
                            return c.compact(compacted);
                        } catch (TaskNotFoundException e) {
                            return null;
                        }
                    }));
                }
            }
            if (round == 3) {
                (random.nextBoolean() ? a : b).seal("s1");
            }
            if (round == 4) {
                work.add(threads.submit(() -> {
                    a.delete(List.of("s3"));
                    return null;
                }));
                deleted.add("s3");
            }
            // fsck's check, run while the round races: its one statement must never see a commit half done.
            AtomicBoolean raced = new AtomicBoolean();
            Future<List<SegmentCatalog.SegmentMismatch>> checker = threads.submit(() -> {
                List<SegmentCatalog.SegmentMismatch> seen = new ArrayList<>();
                int checks = 0;
                while (!raced.get() || checks == 0) {
                    seen.addAll(metadata.catalog().segmentMismatches(TASKS));
                    checks++;
                }
                return seen;
            });
            for (Future<?> f : work) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("round " + round, e.getCause());
                }
            }
            raced.set(true);
            assertThat(checker.get(60, TimeUnit.SECONDS))
                    .as("round %d: mismatches seen by fsck's check during the race", round)
                    .isEmpty();
            assertRangesAndIndexes("round " + round);
        }
        // Everything left moves or merges, and is checked once more.
        for (String task : TASKS) {
            if (!deleted.contains(task)) {
                a.compact(task);
            }
        }
        b.seal("s2");
        b.compact("s2");
        assertRangesAndIndexes("after the last compactions");
        for (String task : TASKS) {
            if (deleted.contains(task)) {
                continue;
            }
            List<Long> seqs = a.list(task, MessageQuery.all().limitedTo(100_000)).messages().stream()
                    .map(TaskMessage::seq)
                    .toList();
            assertThat(seqs).as("seqs read from %s", task).containsExactlyElementsOf(new TreeSet<>(appended.get(task)));
        }
        assertLiveFramesMatchSegments();
    }

    private void assertRangesAndIndexes(String when) {
        List<String> wrongRanges = IsolatedMetadata.segmentRangeMismatches(database);
        assertThat(wrongRanges)
                .as("%s: segment rows whose seq range or count differ from their message rows", when)
                .isEmpty();
        record Live(String taskId, long objectId, long offset, long first, long last) {}
        List<Live> consolidated = database.read(
                "test consolidated",
                handle -> handle.createQuery(
                                "SELECT t.task_id, s.object_id, s.frame_offset, s.first_seq, s.last_seq FROM tm_segment s"
                                        + " JOIN tm_task t ON t.task_key = s.task_key WHERE s.object_kind = "
                                        + ObjectKind.CONSOLIDATED.column())
                        .map((rs, ctx) ->
                                new Live(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                        .list());
        int checked = 0;
        for (Live live : consolidated) {
            Optional<byte[]> bytes = raw.get(ContentKeys.segment(live.taskId(), live.objectId()));
            assertThat(bytes).as("%s: object of live frame %s", when, live).isPresent();
            List<FrameIndex.Entry> entries = FrameIndex.read(bytes.get()).orElseThrow();
            FrameIndex.Entry entry = entries.stream()
                    .filter(e -> e.offset() == live.offset())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(when + ": no index entry at " + live));
            assertThat(new long[] {entry.firstSeq(), entry.lastSeq()})
                    .as("%s: index entry of %s", when, live)
                    .containsExactly(live.first(), live.last());
            assertThat(entry.taskId()).isEqualTo(live.taskId());
            checked++;
        }
        if (when.startsWith("after")) {
            assertThat(checked).as("consolidated frames checked").isPositive();
        }
    }
}
