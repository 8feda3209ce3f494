package dev.strata.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection through a {@link FaultProxy} and, once connected, its backend connection: two pumps
 * that forward bytes while the proxy passes, and a cut that ends both sides once.
 */
final class ProxyLink {
    private final FaultProxy proxy;
    private final Socket client;
    private final AtomicLong bytesUp;
    private final AtomicLong bytesDown;
    private final AtomicBoolean cutOnce = new AtomicBoolean();
    private final AtomicInteger directionsDone = new AtomicInteger();
    private volatile Socket server;
    private volatile boolean cut;
    private volatile boolean heldByBlackHole;

    ProxyLink(FaultProxy proxy, Socket client, AtomicLong bytesUp, AtomicLong bytesDown) {
        this.proxy = proxy;
        this.client = client;
        this.bytesUp = bytesUp;
        this.bytesDown = bytesDown;
    }

    boolean isCut() {
        return cut;
    }

    boolean heldByBlackHole() {
        return heldByBlackHole;
    }

    void heldByBlackHole(boolean held) {
        heldByBlackHole = held;
    }

    /** Starts forwarding to {@code backend}, or, when it is null, holds the client until the link is cut. */
    void start(Socket backend) {
        if (backend == null) {
            Thread.ofVirtual().start(() -> proxy.holdUntilCut(this));
            return;
        }
        this.server = backend;
        if (cut) {
            FaultProxy.abort(backend, true);
            return;
        }
        Thread.ofVirtual().start(() -> pump(client, backend, bytesUp));
        Thread.ofVirtual().start(() -> pump(backend, client, bytesDown));
    }

    private void pump(Socket from, Socket to, AtomicLong counter) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                counter.addAndGet(read);
                if (!proxy.awaitForwarding(this)) {
                    return;
                }
                Duration delay = proxy.latency();
                if (!delay.isZero()) {
                    Thread.sleep(delay);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
            // An orderly end from one side: pass the FIN on; the link ends when both sides have.
            to.shutdownOutput();
            if (directionsDone.incrementAndGet() == 2) {
                cut(false);
            }
        } catch (IOException | InterruptedException e) {
            cut(false);
        }
    }

    /** Ends the link: the client sees a reset or an orderly close. Idempotent. */
    void cut(boolean withReset) {
        if (!cutOnce.compareAndSet(false, true)) {
            return;
        }
        cut = true;
        FaultProxy.abort(client, withReset);
        Socket backend = server;
        if (backend != null) {
            FaultProxy.abort(backend, false);
        }
        proxy.unregister(this);
    }
}
