package dev.strata.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on loopback between Strata and one backend (PostgreSQL, S3Proxy, Redis) that injects
 * network faults, switchable at any time:
 * <ul>
 *   <li>{@link #pass()}: forward everything (after {@link #latency} added to every chunk);</li>
 *   <li>{@link #drop()}: close every connection (FIN), and each new one as soon as it is accepted;</li>
 *   <li>{@link #reset()}: the same with a TCP reset (RST, {@code SO_LINGER 0});</li>
 *   <li>{@link #blackHole()}: keep every connection open and accept new ones, but forward nothing,
 *       as a partitioned or hung server would. Returning to {@link #pass()} resets the connections
 *       the black hole held (their streams are cut mid-request), so clients reconnect.</li>
 * </ul>
 * It binds its own listening socket on port 0 (no free-port race) and runs on virtual threads.
 * Counters say how many connections and bytes clients sent towards the backend, also while
 * faulty, so a test can tell how often a client tried. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
    /** What happens to connections. */
    public enum Mode {
        PASS,
        DROP,
        RESET,
        BLACK_HOLE
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean closed;

    /** Starts a proxy to {@code host:port}, in pass mode. */
    public FaultProxy(String host, int port) {
        this.upstream = new InetSocketAddress(requireNonNull(host, "host is null"), port);
        try {
            this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("fault proxy cannot listen: " + e.getMessage(), e);
        }
        this.acceptor = Thread.ofVirtual()
                .name("fault-proxy-accept-" + listener.getLocalPort())
                .start(this::acceptLoop);
    }

    /** A proxy to the host and port of a URL such as {@code redis://127.0.0.1:6379} or {@code http://127.0.0.1:9000}. */
    public static FaultProxy to(String url) {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
        int port = uri.getPort() >= 0
                ? uri.getPort()
                : switch (uri.getScheme()) {
                    case "postgresql" -> 5432;
                    case "redis" -> 6379;
                    case "http" -> 80;
                    default -> throw new IllegalArgumentException("no port in " + url);
                };
        return new FaultProxy(uri.getHost(), port);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /**
     * The same URL with its host and port replaced by this proxy's, e.g. a JDBC, {@code redis://}
     * or {@code http://} URL of the backend behind it.
     */
    public String through(String url) {
        String authority = upstream.getHostString() + ":" + upstream.getPort();
        if (url.contains(authority)) {
            return url.replace(authority, "127.0.0.1:" + port());
        }
        // The URL may leave the default port out.
        String host = "//" + upstream.getHostString();
        int at = url.indexOf(host);
        if (at < 0) {
            throw new IllegalArgumentException(url + " does not point at " + authority);
        }
        return url.substring(0, at) + "//127.0.0.1:" + port() + url.substring(at + host.length());
    }

    public Mode mode() {
        return mode;
    }

    /** Forwards everything; ends a black hole by resetting the connections it held. */
    public void pass() {
        List<ProxyLink> held = List.copyOf(links);
        if (switchTo(Mode.PASS) == Mode.BLACK_HOLE) {
            held.forEach(link -> link.cut(true));
        }
    }

    /** Delays every forwarded chunk, in both directions, by {@code delay} (zero: none). */
    public void latency(Duration delay) {
        this.latency = requireNonNull(delay, "delay is null");
    }

    /** Closes every connection (FIN) and each new one at once. */
    public void drop() {
        switchTo(Mode.DROP);
        links.forEach(link -> link.cut(false));
    }

    /** Resets every connection (RST) and each new one at once. */
    public void reset() {
        switchTo(Mode.RESET);
        links.forEach(link -> link.cut(true));
    }

    /** Keeps connections open but forwards nothing, in either direction. */
    public void blackHole() {
        switchTo(Mode.BLACK_HOLE);
    }

    /** Connections clients opened to the proxy so far, faulty or not. */
    public long connectionsAccepted() {
        return connections.get();
    }

    /** Bytes clients sent that the proxy read (forwarded or not; a black hole reads one chunk per connection). */
    public long bytesFromClients() {
        return bytesUp.get();
    }

    /** Bytes the backend sent that reached clients. */
    public long bytesToClients() {
        return bytesDown.get();
    }

    /** Connections open through the proxy now. */
    public int openConnections() {
        return links.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(link -> link.cut(false));
        signal();
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Mode switchTo(Mode next) {
        Mode was = mode;
        mode = next;
        signal();
        return was;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            Thread.ofVirtual().name("fault-proxy-link-" + port()).start(() -> open(client));
        }
    }

    private void open(Socket client) {
        Mode now = mode;
        if (now == Mode.DROP || now == Mode.RESET) {
            abort(client, now == Mode.RESET);
            return;
        }
        ProxyLink link = new ProxyLink(this, client, bytesUp, bytesDown);
        links.add(link);
        now = mode;
        if (now == Mode.DROP || now == Mode.RESET) {
            // A fault switched on while this link was being registered, and may have missed it.
            link.cut(now == Mode.RESET);
            return;
        }
        if (now == Mode.BLACK_HOLE) {
            link.heldByBlackHole(true);
            // Hold the connection without reaching the backend, reading nothing, until the
            // black hole ends (then it is reset) or the client gives up.
            link.start(null);
            return;
        }
        Socket server = new Socket();
        try {
            server.setTcpNoDelay(true);
            server.connect(upstream, (int) CONNECT_TIMEOUT.toMillis());
        } catch (IOException e) {
            // The backend itself is down: the client sees a reset, as it would connecting directly.
            link.cut(true);
            return;
        }
        link.start(server);
    }

    /** Waits while the proxy black-holes; false when the link should end. */
    boolean awaitForwarding(ProxyLink link) {
        lock.lock();
        try {
            while (mode == Mode.BLACK_HOLE && !closed && !link.isCut()) {
                link.heldByBlackHole(true);
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        return !closed && !link.isCut() && mode == Mode.PASS && !link.heldByBlackHole();
    }

    static void abort(Socket socket, boolean withReset) {
        try {
            if (withReset) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    Duration latency() {
        return latency;
    }

    /** Holds a link that reaches no backend until it is cut or the proxy closes. */
    void holdUntilCut(ProxyLink link) {
        lock.lock();
        try {
            while (!link.isCut() && !closed) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a link that was cut, and wakes whoever waits on the proxy's state. */
    void unregister(ProxyLink link) {
        links.remove(link);
        signal();
    }
}
