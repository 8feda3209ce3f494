package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.BackendUnavailableException;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestS3;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import java.nio.file.Path;
import java.util.List;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content contract on a real S3 server (S3Proxy, in-process), in a bucket of its own, under a prefix. */
class S3ContentTierTest extends AbstractContentTierContractTest {
    @TempDir
    static Path directory;

    static S3ProxyServer server;
    static String bucket;

    @BeforeAll
    static void startServer() {
        server = new S3ProxyServer(directory);
        bucket = server.createBucket("content");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected ListableContent open() {
        return new S3ContentTier(S3Location.parse("s3://" + bucket + "/deployment-a"), TestS3.settings(server));
    }

    @Test
    void objects_liveUnderThePrefixInTheDocumentedLayout() {
        tier.put(ContentKeys.segment("task-1", 0xabc), new byte[] {1});

        List<String> names = server.blobStore().list(bucket, ListContainerOptions.Builder.recursive()).stream()
                .map(StorageMetadata::getName)
                .toList();

        assertThat(names).contains("deployment-a/tasks/task-1/0000000000000abc.seg");
    }

    @Test
    void deleteOfMoreKeysThanOneBatchHolds_removesEveryObject_andIgnoresMissingOnes() {
        // S3 deletes at most 1,000 keys per request: 1,200 present keys span two batches, and the
        // 300 missing keys after them must not stop anything.
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            String key = ContentKeys.segment("many", i);
            keys.add(key);
            if (i < 1200) {
                server.blobStore()
                        .putBlob(
                                bucket,
                                server.blobStore()
                                        .blobBuilder("deployment-a/" + key)
                                        .payload(new byte[] {(byte) i})
                                        .build());
            }
        }
        assertThat(names("deployment-a/tasks/many/"))
                .as("objects before the delete")
                .hasSize(1200);
        assertThat(tier.get(ContentKeys.segment("many", 1100)))
                .as("an object of the second batch is readable through the tier")
                .isPresent();

        tier.delete(keys);

        assertThat(names("deployment-a/tasks/many/"))
                .as("objects left after deleting 1,500 keys")
                .isEmpty();
    }

    /** Every object name under the prefix, page after page (a listing page holds at most 1,000). */
    private static List<String> names(String prefix) {
        List<String> names = new java.util.ArrayList<>();
        String marker = null;
        do {
            ListContainerOptions options =
                    ListContainerOptions.Builder.prefix(prefix).recursive();
            if (marker != null) {
                options.afterMarker(marker);
            }
            var page = server.blobStore().list(bucket, options);
            page.stream()
                    .filter(m -> m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB)
                    .map(StorageMetadata::getName)
                    .forEach(names::add);
            marker = page.getNextMarker();
        } while (marker != null);
        return names;
    }

    @Test
    void stoppedServer_isBackendUnavailable_andServesAgainAfterRestart() {
        tier.put(ContentKeys.segment("outage", 1), new byte[] {7});
        server.stop();
        try {
            assertThatThrownBy(() -> tier.get(ContentKeys.segment("outage", 1)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining(
                            "content get of tasks/outage/0000000000000001.seg in s3://" + bucket + "/deployment-a/");
            assertThatThrownBy(() -> tier.check()).isInstanceOf(BackendUnavailableException.class);
        } finally {
            server.start();
        }
        assertThat(tier.get(ContentKeys.segment("outage", 1)))
                .hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(7));
    }

    @Test
    void missingBucket_isBackendUnavailable() {
        var absent = new S3ContentTier(S3Location.parse("s3://no-such-bucket-here"), TestS3.settings(server));
        assertThatThrownBy(absent::check).isInstanceOf(BackendUnavailableException.class);
        absent.close();
    }
}
