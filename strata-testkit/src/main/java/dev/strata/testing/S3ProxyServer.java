package dev.strata.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server in this JVM: S3Proxy over its filesystem backend, on a loopback port. It can
 * be stopped and started again on the same port to simulate an object store outage.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "strata-test";
    public static final String SECRET_KEY = "strata-test-secret";

    private final BlobStoreContext context;
    private int port;
    private S3Proxy proxy;

    public S3ProxyServer(Path directory) {
        Properties properties = new Properties();
        properties.setProperty(
                "jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        this.context =
                ContextBuilder.newBuilder("filesystem").overrides(properties).buildView(BlobStoreContext.class);
        start();
    }

    /** Starts serving; on the same port as before after a {@link #stop()}. */
    public void start() {
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            for (int i = 0;
                    i < 1000 && !"STARTED".equals(proxy.getState()) && !"FAILED".equals(proxy.getState());
                    i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start on " + endpoint() + ": " + e.getMessage(), e);
        }
        if (!"STARTED".equals(proxy.getState())) {
            String state = proxy.getState();
            try {
                proxy.stop();
            } catch (Exception ignored) {
                // Already failed; the state says why.
            }
            throw new IllegalStateException("S3Proxy did not start on " + endpoint() + " within 10 s: state " + state);
        }
        port = proxy.getPort();
    }

    /** Stops serving: clients get connection refused until {@link #start()}. */
    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** Creates a bucket of its own for one test class. */
    public String createBucket(String hint) {
        String bucket = TestServices.uniqueName(hint);
        context.getBlobStore().createContainerInLocation(null, bucket);
        return bucket;
    }

    @Override
    public void close() {
        stop();
        context.close();
    }
}
