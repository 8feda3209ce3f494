package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.store.BackendUnavailableException;
import dev.strata.testing.S3ProxyServer;
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
    protected ContentTier open() {
        return new S3ContentTier(S3Location.parse("s3://" + bucket + "/deployment-a"), server.settings());
    }

    @Test
    void objects_liveUnderThePrefixInTheDocumentedLayout() {
        tier.put(ContentKeys.segment("task-1", 0xabc), new byte[] {1});

        List<String> names = server.blobStore().list(bucket, ListContainerOptions.Builder.recursive()).stream()
                .map(StorageMetadata::getName).toList();

        assertThat(names).contains("deployment-a/tasks/task-1/0000000000000abc.seg");
    }

    @Test
    void deleteOfManyKeys_usesBatchesAndIgnoresMissingOnes() {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            keys.add(ContentKeys.segment("many", i));
            if (i % 100 == 0) {
                tier.put(ContentKeys.segment("many", i), new byte[] {(byte) i});
            }
        }

        tier.delete(keys);

        assertThat(tier.get(ContentKeys.segment("many", 100))).isEmpty();
    }

    @Test
    void stoppedServer_isBackendUnavailable_andServesAgainAfterRestart() {
        tier.put(ContentKeys.segment("outage", 1), new byte[] {7});
        server.stop();
        try {
            assertThatThrownBy(() -> tier.get(ContentKeys.segment("outage", 1)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("content get of tasks/outage/0000000000000001.seg in s3://" + bucket + "/deployment-a/");
            assertThatThrownBy(() -> tier.check()).isInstanceOf(BackendUnavailableException.class);
        } finally {
            server.start();
        }
        assertThat(tier.get(ContentKeys.segment("outage", 1))).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(7));
    }

    @Test
    void missingBucket_isBackendUnavailable() {
        var absent = new S3ContentTier(S3Location.parse("s3://no-such-bucket-here"), server.settings());
        assertThatThrownBy(absent::check).isInstanceOf(BackendUnavailableException.class);
        absent.close();
    }
}
