package dev.syncmap.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.syncmap.copy.Codec;
import dev.syncmap.replicate.AnchorRequest;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.PoisonChangeException;
import dev.syncmap.replicate.Sink;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A replication {@link Sink} into Redis, for readers outside the JVM: each map key becomes a plain Redis string
 * {@code <keyPrefix><key>} holding the value, with its version stored beside it (the layout is in the package
 * documentation and {@code docs/replication.md}).
 *
 * <p><b>Implementation notes.</b>
 * <ul>
 *   <li><b>Version-checked apply.</b> One Lua script ({@code apply.lua}), loaded once and called by SHA, applies a
 *       chunk of changes: it reads the chunk's stored versions with one {@code MGET}, keeps the changes newer
 *       than what Redis holds, and writes all plain ones with one {@code MSET} (values and versions together).
 *       Two server calls per chunk instead of three per change is what makes it cheap (the benchmark in
 *       {@code syncmap-bench} compares it with plain pipelined {@code SET}s). Removals and expiring values
 *       take their own {@code SET ... PX/PXAT} calls. A version is {@code <revision:19>:<stamp:19>:<origin>},
 *       compared as fixed-width decimal strings, never as Lua numbers: Redis's Lua numbers are doubles and
 *       two 64-bit stamps that differ in their last digits would compare equal. The same origin: the higher
 *       revision wins (stamps are re-issued when a restarted source replays, revisions are not); different
 *       origins: the higher stamp, then the greater origin id (last writer wins, deterministic everywhere). So
 *       replays, duplicates and out-of-order deliveries change nothing, and every order converges.</li>
 *   <li><b>Batches.</b> A batch's changes are coalesced per key first (the newer one by the same rule is kept),
 *       then cut into chunks of {@code chunkSize} changes, one script call each (a script blocks the server while
 *       it runs: chunks of ~200 keep that well under a millisecond), all chunks pipelined in one round trip.</li>
 *   <li><b>Tombstones.</b> A removal deletes the value key and leaves the version key alone, expiring after the
 *       tombstone grace, so a late, older write cannot bring the key back within the grace. A plain write over a
 *       tombstone uses {@code MSET}, which also clears the tombstone's TTL (an {@code HSET} would keep it). The
 *       grace must exceed the longest redelivery delay (outages with spill included).</li>
 *   <li><b>Expiry.</b> A change with an expiry becomes {@code SET value PXAT expiry} (the absolute form of
 *       {@code PX}, so a replay does not extend the life of the entry) and its version expires a grace later,
 *       so the expired entry is a tombstone for that long. A change already expired when written is a removal.</li>
 *   <li><b>Anchors.</b> At {@code ANCHOR_END} of origin O at revision R every key the anchor mentioned holds a
 *       version of revision R (or later); the sink scans the version keys and writes a tombstone at R over each
 *       one of O below R: the source removed those while the pipeline was not looking. No anchor state is kept in
 *       memory, so a sink restarted mid-anchor is still right.</li>
 *   <li><b>Loss detection.</b> The epoch marker {@code <metaPrefix>epoch} holds a random epoch id. Every script
 *       call checks it first and refuses the chunk if it changed; so does every (re)connect, and the idle hook once
 *       a second. A missing or changed marker means Redis restarted empty or was flushed: the sink writes a new
 *       epoch, counts and logs the loss, asks the replicator for an anchor through {@link AnchorRequest}, and
 *       re-sends the batch under the new epoch; the anchor then brings everything else. A Redis with persistence
 *       (AOF) keeps its marker and nothing is re-sent. At start, {@link #startsEmpty()} reports a Redis without a
 *       marker as empty, so the replicator anchors it instead of trusting its checkpoint.</li>
 *   <li><b>Failures.</b> A connection failure drops the connection and throws {@link RedisSinkException} (the
 *       pipeline retries; its breaker opens and the spill takes over while Redis is down); the next write
 *       reconnects. {@code NOSCRIPT} (a restarted server) reloads the script and re-sends. A value or key the codec
 *       cannot encode throws {@link PoisonChangeException} before anything of the batch's remaining chunks is sent:
 *       the replicator stops with a message naming the key and codec, and nothing is acknowledged past the
 *       checkpoint, so a restart with a fixed codec loses nothing. A key prefix already claimed by another sink's
 *       marker is a {@link PoisonChangeException} too (a key pattern collision).</li>
 *   <li><b>Threads.</b> The pipeline calls a sink from its writer thread only, but {@link #isHealthy()} may come
 *       from the guard's thread: every method touching the connection is {@code synchronized}. The counters are
 *       atomics, readable from any thread.</li>
 * </ul>
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class RedisSink<K, V> implements Sink<K, V>, MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSink.class);

    /** The default time a tombstone is kept. */
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofHours(1);

    private static final byte[] SCRIPT = loadScript();
    private static final byte[] PLAIN = {'P'};
    private static final byte[] REMOVAL = {'D'};
    private static final byte[] EMPTY = {};
    private static final long IDLE_CHECK_NANOS = 1_000_000_000L;
    private static final int ATTEMPTS = 3;
    /** Plain changes first in a chunk (the script's argument layout); a stable sort keeps the rest in order. */
    private static final Comparator<Pending> PLAIN_FIRST = Comparator.comparingInt(p -> p.how == PLAIN ? 0 : 1);

    private final String name;
    private final HostAndPort address;
    private final DefaultJedisClientConfig clientConfig;
    private final RedisLayout layout;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final long graceMillis;
    private final byte[] graceArg;
    private final int chunkSize;
    private final boolean coalesce;
    private final LongSupplier clock;

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong epochLosses = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    /** The connection, or null when there is none; guarded by this. */
    private Jedis jedis;
    private byte[] sha;
    /** The epoch marker this sink wrote or adopted, or null before the first contact; guarded by this. */
    private String epochMarker;
    /** startsEmpty() said true: the replicator is anchoring anyway; guarded by this. */
    private boolean anchorExpected;
    /**
     * The first contact found no marker and nobody said an anchor is coming (the replicator asks
     * {@link #startsEmpty()} only when it has a checkpoint): the first batch tells, an anchor or not; guarded by this.
     */
    private boolean unclaimedStart;
    /** The current connection's epoch was checked; guarded by this. */
    private boolean epochChecked;
    private long lastIdleCheck = System.nanoTime();
    private volatile AnchorRequest anchorRequest;
    /** The changes of the batch being written, by encoded key; writer thread only. */
    private final Map<ByteBuffer, Pending> pending = new LinkedHashMap<>();
    private final List<Pending> uncoalesced = new ArrayList<>();

    private RedisSink(Builder<K, V> b) {
        this.name = b.name;
        this.address = new HostAndPort(b.host, b.port);
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
            .timeoutMillis(Math.toIntExact(b.timeout.toMillis())).clientName("syncmap-" + b.name)
            .autoNegotiateProtocol(false);
        if (b.user != null) {
            cfg.user(b.user);
        }
        if (b.password != null) {
            cfg.password(b.password);
        }
        this.clientConfig = cfg.build();
        this.layout = new RedisLayout(b.keyPrefix, b.metaPrefix != null ? b.metaPrefix : "syncmap-meta:" + b.keyPrefix);
        this.keyCodec = Objects.requireNonNull(b.keyCodec, "keyCodec");
        this.valueCodec = Objects.requireNonNull(b.valueCodec, "valueCodec");
        this.graceMillis = b.grace.toMillis();
        this.graceArg = Long.toString(graceMillis).getBytes(StandardCharsets.US_ASCII);
        this.chunkSize = b.chunkSize;
        this.coalesce = b.coalesce;
        this.clock = b.clock;
    }

    /**
     * Returns a builder.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return a builder with the defaults (localhost:6379, key prefix {@code "syncmap:"}, a one-hour grace)
     */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Returns the Redis address, {@code host:port}.
     *
     * @return the address
     */
    public String address() {
        return address.toString();
    }

    /**
     * Returns the prefix of the value keys.
     *
     * @return the key prefix
     */
    public String keyPrefix() {
        return layout.keyPrefix;
    }

    /**
     * Returns the prefix of the version keys and the epoch marker.
     *
     * @return the meta prefix
     */
    public String metaPrefix() {
        return layout.metaPrefix;
    }

    /**
     * Connects and checks the server: reachable, the credentials accepted, the script loadable, the key prefix
     * not claimed by another sink. Optional (writes connect by themselves); a configuration tool calls it to
     * fail early with a clear message.
     *
     * @throws RedisSinkException if Redis is unreachable or refuses the credentials
     * @throws PoisonChangeException if another sink's epoch marker claims the meta prefix (a key pattern collision)
     */
    public synchronized void verify() throws RedisSinkException {
        connection();
    }

    /**
     * Returns how many changes Redis applied (they were newer than what it held).
     *
     * @return the count
     */
    public long applied() {
        return applied.get();
    }

    /**
     * Returns how many changes Redis skipped as not newer than what it held (replays, duplicates, late arrivals),
     * coalesced ones included.
     *
     * @return the count
     */
    public long skipped() {
        return skipped.get();
    }

    /**
     * Returns how many times the sink found Redis had lost what it was sent (restarted empty, flushed) and asked
     * for an anchor.
     *
     * @return the count
     */
    public long epochLosses() {
        return epochLosses.get();
    }

    /**
     * Returns how many batches were written.
     *
     * @return the count
     */
    public long batches() {
        return batches.get();
    }

    /**
     * Registers this sink's counts as Micrometer counters, tagged {@code sink=<name>}:
     * {@code syncmap.replication.redis.changes} with {@code outcome=applied} and {@code outcome=stale} (see
     * {@link #applied()}, {@link #skipped()}), {@code syncmap.replication.redis.batches} and
     * {@code syncmap.replication.redis.epoch.losses}. The counters read this sink's own counts, so binding
     * costs the write path nothing; bind to the replicator's registry to export them with its meters. The
     * pipeline's per-sink meters (batch size, write latency, breaker, spill) are the replicator's.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("syncmap.replication.redis.changes", applied, AtomicLong::doubleValue)
            .tag("sink", name).tag("outcome", "applied")
            .description("changes Redis applied: newer than the version it held").register(registry);
        FunctionCounter.builder("syncmap.replication.redis.changes", skipped, AtomicLong::doubleValue)
            .tag("sink", name).tag("outcome", "stale")
            .description("changes Redis skipped as not newer (replays, duplicates, late arrivals, coalesced)")
            .register(registry);
        FunctionCounter.builder("syncmap.replication.redis.batches", batches, AtomicLong::doubleValue)
            .tag("sink", name).description("batches written").register(registry);
        FunctionCounter.builder("syncmap.replication.redis.epoch.losses", epochLosses, AtomicLong::doubleValue)
            .tag("sink", name).description("times Redis was found to have lost what it was sent, and re-anchored")
            .register(registry);
    }

    /**
     * Opens a reader of this sink's replica on a connection of its own (same address, credentials, prefixes and
     * codecs), as a reader in the JVM would see it.
     *
     * @return the reader; close it
     */
    public RedisReplicaReader<K, V> reader() {
        return new RedisReplicaReader<>(new Jedis(address, clientConfig), layout, keyCodec, valueCodec);
    }

    @Override
    public void anchorRequests(AnchorRequest request) {
        this.anchorRequest = request;
    }

    /**
     * Tells whether Redis holds nothing of this sink's (no epoch marker): a new server, or one restarted without
     * persistence. The replicator then anchors instead of trusting the checkpoint. If Redis cannot be reached now,
     * answers false (the checkpoint is used) and the first write checks the marker, asking for an anchor if it is
     * missing.
     *
     * @return true if Redis has no marker of this sink
     * @throws PoisonChangeException on a key pattern collision with another sink
     */
    @Override
    public synchronized boolean startsEmpty() {
        try {
            Jedis j = connectRaw();
            String current = marker(j);
            epochChecked = true;
            if (current == null) {
                anchorExpected = true;
                epochMarker = newEpoch(j);
                return true;
            }
            epochMarker = current;
            return false;
        } catch (RedisSinkException e) {
            LOG.warn("sink {}: Redis at {} is not reachable at start ({}); its checkpoint is trusted and the epoch"
                + " marker checked at the first contact", name, address, e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized boolean isHealthy() {
        try {
            connection().ping();
            return true;
        } catch (RedisSinkException | JedisConnectionException e) {
            LOG.debug("sink {}: health probe of {} failed", name, address, e);
            disconnect();
            return false;
        }
    }

    @Override
    public synchronized void onIdle() {
        long now = System.nanoTime();
        if (jedis == null || now - lastIdleCheck < IDLE_CHECK_NANOS) {
            return;
        }
        lastIdleCheck = now;
        try {
            checkEpoch(jedis);
        } catch (JedisConnectionException e) {
            LOG.debug("sink {}: idle epoch check of {} failed; the next write reconnects", name, address, e);
            disconnect();
        }
    }

    @Override
    public synchronized void write(List<Envelope<K, V>> batch) throws IOException {
        batches.incrementAndGet();
        Jedis j = connection();
        clearPending();
        long now = clock.getAsLong();
        try {
            if (unclaimedStart) {
                unclaimedStart = false;
                if (batch.get(0).kind() != Envelope.Kind.ANCHOR_START) {
                    lost(j, "no epoch marker at the first contact and no anchor coming: a new server, or one that"
                        + " lost its data since the checkpoint");
                }
            }
            for (Envelope<K, V> e : batch) {
                switch (e.kind()) {
                    case ANCHOR_START:
                        break;
                    case ANCHOR_END:
                        send(j);
                        removeUnmentioned(j, e);
                        break;
                    default:
                        add(e, now);
                        break;
                }
            }
            send(j);
        } catch (JedisConnectionException e) {
            disconnect();
            throw new RedisSinkException("sink " + name + ": lost the connection to Redis at " + address + " ("
                + e.getMessage() + "); the batch will be sent again", e);
        } finally {
            clearPending();
        }
    }

    @Override
    public synchronized void close() {
        disconnect();
    }

    @Override
    public String toString() {
        return "RedisSink[" + name + ", " + address + ", " + layout.keyPrefix + "*]";
    }

    /* ---------------- Applying ---------------- */

    private void add(Envelope<K, V> e, long now) {
        byte[] key = encode(keyCodec, e.key(), e, "key");
        byte[] version = RedisLayout.versionBytes(e.originRevision(), e.stamp(), e.origin());
        Pending p;
        long exp = e.expiresAtMillis();
        if (e.isRemoval() || exp <= now) {
            p = new Pending(key, version, EMPTY, REMOVAL, EMPTY);
        } else {
            byte[] value = encode(valueCodec, e.value(), e, "value");
            if (exp == Envelope.NO_EXPIRY) {
                p = new Pending(key, version, value, PLAIN, EMPTY);
            } else {
                long versionExp = exp > Long.MAX_VALUE - graceMillis ? Long.MAX_VALUE : exp + graceMillis;
                p = new Pending(key, version, value, ascii(exp), ascii(versionExp));
            }
        }
        if (!coalesce) {
            uncoalesced.add(p);
            return;
        }
        pending.merge(ByteBuffer.wrap(key), p, (old, neu) -> {
            skipped.incrementAndGet();
            return newer(neu.version, old.version) ? neu : old;
        });
    }

    private <T> byte[] encode(Codec<T> codec, T value, Envelope<K, V> e, String what) {
        try {
            return RedisBytes.encode(codec, value);
        } catch (IOException | RuntimeException ex) {
            throw new PoisonChangeException("sink " + name + ": the " + what + " codec '" + codec.id()
                + "' cannot encode the " + what + " of key " + e.key() + " (origin " + e.origin() + ", revision "
                + e.originRevision() + "): " + ex, ex);
        }
    }

    /**
     * Whether version a beats version b: the rule of {@code apply.lua}, for coalescing a batch.
     *
     * @param a a version, as stored
     * @param b another
     * @return true if a is newer
     */
    static boolean newer(byte[] a, byte[] b) {
        int d = RedisLayout.DIGITS;
        int originAt = 2 * d + 2;
        int byOrigin = Arrays.compareUnsigned(a, originAt, a.length, b, originAt, b.length);
        if (byOrigin == 0) {
            return Arrays.compareUnsigned(a, 0, d, b, 0, d) > 0;
        }
        int byStamp = Arrays.compareUnsigned(a, d + 1, 2 * d + 1, b, d + 1, 2 * d + 1);
        return byStamp > 0 || byStamp == 0 && byOrigin > 0;
    }

    /** Sends the pending changes through the script, pipelined, until Redis has them (or gives up). */
    private void send(Jedis j) {
        List<Pending> all = coalesce ? new ArrayList<>(pending.values()) : new ArrayList<>(uncoalesced);
        if (all.isEmpty()) {
            return;
        }
        long done = 0;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            List<Response<Object>> replies = new ArrayList<>(all.size() / chunkSize + 1);
            byte[] marker = epochMarker.getBytes(StandardCharsets.UTF_8);
            try (Pipeline p = j.pipelined()) {
                for (int from = 0; from < all.size(); from += chunkSize) {
                    List<Pending> chunk = all.subList(from, Math.min(all.size(), from + chunkSize));
                    chunk.sort(PLAIN_FIRST);
                    replies.add(p.evalsha(sha, keys(chunk), args(chunk, marker)));
                }
                p.sync();
            }
            boolean noScript = false;
            boolean lost = false;
            for (Response<Object> r : replies) {
                try {
                    long n = (Long) r.get();
                    if (n < 0) {
                        lost = true;
                    } else {
                        done += n;
                    }
                } catch (JedisDataException e) {
                    if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                        throw e;
                    }
                    noScript = true;
                }
            }
            if (noScript) {
                LOG.info("sink {}: Redis at {} does not know the apply script (restarted); loading it again", name,
                    address);
                sha = j.scriptLoad(SCRIPT);
            }
            if (lost) {
                lost(j, "the epoch marker changed while writing");
            }
            if (!noScript && !lost) {
                applied.addAndGet(done);
                skipped.addAndGet(all.size() - Math.min(done, all.size()));
                clearPending();
                return;
            }
        }
        throw new IllegalStateException("sink " + name + ": Redis at " + address + " refused the batch " + ATTEMPTS
            + " times (script missing or epoch changing); it will be sent again");
    }

    private List<byte[]> keys(List<Pending> chunk) {
        int n = chunk.size();
        byte[][] keys = new byte[2 * n + 1][];
        keys[0] = layout.epochKey;
        for (int i = 0; i < n; i++) {
            byte[] k = chunk.get(i).key;
            keys[1 + i] = layout.versionKey(k);
            keys[1 + n + i] = layout.valueKey(k);
        }
        return Arrays.asList(keys);
    }

    /** The script's arguments: the plain changes (sorted first) take two each, the others four. */
    private List<byte[]> args(List<Pending> chunk, byte[] marker) {
        int plainCount = 0;
        while (plainCount < chunk.size() && chunk.get(plainCount).how == PLAIN) {
            plainCount++;
        }
        List<byte[]> args = new ArrayList<>(3 + 2 * plainCount + 4 * (chunk.size() - plainCount));
        args.add(marker);
        args.add(graceArg);
        args.add(ascii(plainCount));
        for (Pending p : chunk) {
            args.add(p.version);
            args.add(p.value);
            if (p.how != PLAIN) {
                args.add(p.how);
                args.add(p.versionExpiry);
            }
        }
        return args;
    }

    /** At an anchor's end: a tombstone at the anchor's revision over each key of its origin the anchor left out. */
    private void removeUnmentioned(Jedis j, Envelope<K, V> end) {
        String origin = end.origin();
        long revision = end.originRevision();
        byte[] tomb = RedisLayout.versionBytes(revision, end.stamp(), origin);
        ScanParams params = new ScanParams().match(layout.versionPattern()).count(1000);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        int removed = 0;
        ScanResult<byte[]> page;
        do {
            page = j.scan(cursor, params);
            List<byte[]> found = page.getResult();
            if (!found.isEmpty()) {
                List<byte[]> versions = j.mget(found.toArray(new byte[0][]));
                for (int i = 0; i < found.size(); i++) {
                    byte[] v = versions.get(i);
                    if (v == null) {
                        continue; // expired since the scan saw it
                    }
                    String version = new String(v, StandardCharsets.UTF_8);
                    if (RedisLayout.originOf(version).equals(origin) && RedisLayout.revisionOf(version) < revision) {
                        byte[] key = layout.keyOfVersionKey(found.get(i));
                        Pending p = new Pending(key, tomb, EMPTY, REMOVAL, EMPTY);
                        if (coalesce) {
                            pending.put(ByteBuffer.wrap(key), p);
                        } else {
                            uncoalesced.add(p);
                        }
                        removed++;
                    }
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!page.isCompleteIteration());
        send(j);
        if (removed > 0) {
            LOG.info("sink {}: the anchor of {} at revision {} left out {} keys (tombstones written)", name, origin,
                revision, removed);
        }
    }

    private void clearPending() {
        pending.clear();
        uncoalesced.clear();
    }

    /* ---------------- Connection and epoch ---------------- */

    /** The connection, opened, authenticated, with the script loaded and the epoch checked. */
    private Jedis connection() throws RedisSinkException {
        Jedis j = connectRaw();
        if (!epochChecked) {
            try {
                checkEpoch(j);
            } catch (RuntimeException e) {
                disconnect();
                throw e;
            }
            epochChecked = true;
        }
        return j;
    }

    /** Opens the connection (authenticated, script loaded), without the epoch check. */
    private Jedis connectRaw() throws RedisSinkException {
        if (jedis != null) {
            return jedis;
        }
        Jedis j = null;
        try {
            j = new Jedis(address, clientConfig);
            j.ping();
            sha = j.scriptLoad(SCRIPT);
        } catch (JedisAccessControlException e) {
            closeQuietly(j);
            throw new RedisSinkException("sink " + name + ": Redis at " + address + " refused the credentials ("
                + e.getMessage() + "); check the sink's user and password", e);
        } catch (JedisConnectionException e) {
            closeQuietly(j);
            throw new RedisSinkException("sink " + name + ": cannot connect to Redis at " + address + " ("
                + e.getMessage() + "); check the address and that the server is up", e);
        } catch (JedisDataException e) {
            closeQuietly(j);
            String msg = e.getMessage() == null ? "" : e.getMessage();
            String hint = msg.startsWith("NOAUTH") ? "; the server requires a password" : "";
            throw new RedisSinkException("sink " + name + ": Redis at " + address + " refused the connection ("
                + msg + ")" + hint, e);
        }
        jedis = j;
        epochChecked = false;
        return j;
    }

    private void disconnect() {
        Jedis j = jedis;
        jedis = null;
        epochChecked = false;
        closeQuietly(j);
    }

    /** Closes a connection that failed; a failure to close it is logged (the first failure is what counts). */
    private void closeQuietly(Jedis j) {
        if (j != null) {
            try {
                j.close();
            } catch (JedisConnectionException e) {
                LOG.debug("sink {}: closing a broken connection to {}", name, address, e);
            }
        }
    }

    private String marker(Jedis j) {
        byte[] m = j.get(layout.epochKey);
        if (m == null) {
            return null;
        }
        String current = new String(m, StandardCharsets.UTF_8);
        String owner = RedisLayout.prefixOfMarker(current);
        if (!owner.equals(layout.keyPrefix)) {
            throw new PoisonChangeException("sink " + name + ": key pattern collision at Redis " + address + ": the"
                + " meta keys '" + layout.metaPrefix + "*' belong to a sink writing values under '" + owner + "*',"
                + " this sink writes under '" + layout.keyPrefix + "*'; give each sink its own prefixes", null);
        }
        return current;
    }

    /** Compares the marker with the one this sink knows; a loss is handled. */
    private void checkEpoch(Jedis j) {
        String current = marker(j);
        if (epochMarker == null) { // the first contact of this sink
            if (current != null) {
                epochMarker = current;
                return;
            }
            epochMarker = newEpoch(j);
            unclaimedStart = !anchorExpected;
            return;
        }
        if (!epochMarker.equals(current)) {
            lost(j, current == null ? "the epoch marker is gone (restarted empty or flushed)"
                : "the epoch marker was replaced");
        }
    }

    private String newEpoch(Jedis j) {
        String m = layout.marker(UUID.randomUUID().toString());
        j.set(layout.epochKey, m.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Redis lost what it was sent: a new epoch, counted, logged, and an anchor asked for. */
    private void lost(Jedis j, String why) {
        String current = marker(j);
        if (current != null && !current.equals(epochMarker)) {
            epochMarker = current; // another incarnation of this sink wrote it: adopt
        } else {
            epochMarker = newEpoch(j);
        }
        epochLosses.incrementAndGet();
        AnchorRequest r = anchorRequest;
        String reason = "Redis at " + address + " lost what sink " + name + " had written: " + why;
        if (r == null) {
            LOG.warn("sink {}: {}; no replicator to re-anchor from", name, reason);
            return;
        }
        LOG.warn("sink {}: {}; asking for a re-anchor", name, reason);
        r.request(reason);
    }

    private static byte[] ascii(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] loadScript() {
        try (InputStream in = RedisSink.class.getResourceAsStream("apply.lua")) {
            if (in == null) {
                throw new IllegalStateException("apply.lua is missing from the syncmap-redis jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read apply.lua", e);
        }
    }

    /** One change ready for the script. */
    private static final class Pending {
        final byte[] key;
        final byte[] version;
        final byte[] value;
        final byte[] how;
        final byte[] versionExpiry;

        Pending(byte[] key, byte[] version, byte[] value, byte[] how, byte[] versionExpiry) {
            this.key = key;
            this.version = version;
            this.value = value;
            this.how = how;
            this.versionExpiry = versionExpiry;
        }
    }

    /**
     * Builds a {@link RedisSink}. Not thread-safe.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    public static final class Builder<K, V> {
        private String name = "redis";
        private String host = "localhost";
        private int port = 6379;
        private String user;
        private String password;
        private String keyPrefix = "syncmap:";
        private String metaPrefix;
        private Codec<K> keyCodec;
        private Codec<V> valueCodec;
        private Duration grace = DEFAULT_TOMBSTONE_GRACE;
        private Duration timeout = Duration.ofSeconds(2);
        private int chunkSize = 200;
        private boolean coalesce = true;
        private LongSupplier clock = System::currentTimeMillis;

        private Builder() {}

        /**
         * Sets the sink's name (checkpoints, metrics, logs).
         *
         * @param n letters, digits, '-', '_' and '.'; default "redis"
         * @return this builder
         */
        public Builder<K, V> name(String n) {
            this.name = Objects.requireNonNull(n, "name");
            return this;
        }

        /**
         * Sets the server's address.
         *
         * @param h the host
         * @param p the port, 1..65535
         * @return this builder
         */
        public Builder<K, V> address(String h, int p) {
            if (p < 1 || p > 65_535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + p);
            }
            this.host = Objects.requireNonNull(h, "host");
            this.port = p;
            return this;
        }

        /**
         * Sets the server's address as {@code host:port}.
         *
         * @param hostPort for example {@code "localhost:6379"}
         * @return this builder
         * @throws IllegalArgumentException if it is not host:port
         */
        public Builder<K, V> address(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException("a Redis address is host:port, got '" + hostPort + "'");
            }
            try {
                return address(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a Redis address is host:port, got '" + hostPort + "'", e);
            }
        }

        /**
         * Sets the password (and optionally the ACL user).
         *
         * @param u the user, or null for the default user
         * @param p the password, or null for none
         * @return this builder
         */
        public Builder<K, V> credentials(String u, String p) {
            this.user = u;
            this.password = p;
            return this;
        }

        /**
         * Sets the prefix of the value keys: a map key k is stored at {@code <prefix><k>}.
         *
         * @param p not empty; default "syncmap:"
         * @return this builder
         */
        public Builder<K, V> keyPrefix(String p) {
            this.keyPrefix = Objects.requireNonNull(p, "keyPrefix");
            return this;
        }

        /**
         * Sets the prefix of the version keys and the epoch marker; neither it nor the key prefix may start with
         * the other.
         *
         * @param p not empty; default {@code "syncmap-meta:" + keyPrefix}
         * @return this builder
         */
        public Builder<K, V> metaPrefix(String p) {
            this.metaPrefix = Objects.requireNonNull(p, "metaPrefix");
            return this;
        }

        /**
         * Sets the key and value codecs (the built-in string, long and int codecs store readable text).
         *
         * @param k the key codec
         * @param v the value codec
         * @return this builder
         */
        public Builder<K, V> codecs(Codec<K> k, Codec<V> v) {
            this.keyCodec = Objects.requireNonNull(k, "keyCodec");
            this.valueCodec = Objects.requireNonNull(v, "valueCodec");
            return this;
        }

        /**
         * Sets how long a tombstone (and an expired entry's version) is kept; must exceed the longest redelivery
         * delay, or a late older write could bring a removed key back.
         *
         * @param d positive; default one hour
         * @return this builder
         */
        public Builder<K, V> tombstoneGrace(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("tombstoneGrace must be positive, got " + d);
            }
            this.grace = d;
            return this;
        }

        /**
         * Sets the connect and read timeout.
         *
         * @param d positive; default two seconds
         * @return this builder
         */
        public Builder<K, V> timeout(Duration d) {
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout must be positive, got " + d);
            }
            this.timeout = d;
            return this;
        }

        /**
         * Sets how many changes one script call applies (the server runs nothing else meanwhile).
         *
         * @param n 1..2000; default 200
         * @return this builder
         */
        public Builder<K, V> chunkSize(int n) {
            if (n < 1 || n > 2000) {
                throw new IllegalArgumentException("chunkSize must be 1..2000, got " + n);
            }
            this.chunkSize = n;
            return this;
        }

        /**
         * Sets whether a batch's changes are coalesced per key before sending (the newer kept).
         *
         * @param on default true
         * @return this builder
         */
        public Builder<K, V> coalesce(boolean on) {
            this.coalesce = on;
            return this;
        }

        /**
         * Sets the clock that tells whether an expiry has passed (tests).
         *
         * @param c epoch milliseconds
         * @return this builder
         */
        public Builder<K, V> clock(LongSupplier c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * Builds the sink; it connects on first use (or {@link RedisSink#verify()}).
         *
         * @return the sink
         * @throws IllegalArgumentException if the prefixes collide or the name is invalid
         * @throws NullPointerException if the codecs are not set
         */
        public RedisSink<K, V> build() {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("a sink name is letters, digits, '-', '_' and '.', got '" + name
                    + "'");
            }
            if (keyCodec == null || valueCodec == null) {
                throw new NullPointerException("codecs(keyCodec, valueCodec) must be set");
            }
            return new RedisSink<>(this);
        }
    }
}
