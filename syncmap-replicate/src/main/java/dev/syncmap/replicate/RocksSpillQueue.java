package dev.syncmap.replicate;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

import dev.syncmap.copy.Codec;

import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A durable FIFO of envelope batches on RocksDB: the spill queue a sink's writer fills while its sink is down or
 * overloaded, and drains, oldest first, when the sink is back.
 *
 * <p><b>Layout.</b> One RocksDB database per directory. Each batch is one entry keyed by its sequence number as
 * 8 big-endian bytes, so RocksDB's byte order is the queue's order; a meta entry (key {@code 0xFF "meta"}, after
 * every sequence key) records the format version and the key and value codec ids, so a spill is never decoded
 * with other codecs. Appends go through a {@link WriteBatch} with {@link WriteOptions}.
 *
 * <p><b>Records</b> (big-endian): format version (1 byte, {@value #FORMAT_VERSION}), creation time (epoch ms,
 * 8 bytes), envelope count (4 bytes), the envelopes, then a CRC32C of everything before it (4 bytes). An
 * envelope: kind (1 byte), flags (1 byte: end of revision, has key, has value), origin (2-byte length, UTF-8),
 * origin revision, stamp and expiry (8 bytes each), then the key and the value, each as a 4-byte length and
 * the bytes of its {@link Codec}. A record that is truncated, fails its checksum, has an unknown format version or
 * cannot be decoded (a codec that reads more or less than was written), and a database that RocksDB reports as
 * corrupt, are reported as {@link CorruptStateException} naming the directory, the entry and the problem. The
 * replicator's documented recovery is to forget the spill and the sink's checkpoint and re-anchor the sink: no
 * change is lost, because the anchor carries the source's full content.
 *
 * <p><b>Durability.</b> With {@code sync} every append is fsynced before it returns (survives a power loss).
 * Without it an append is in RocksDB's write-ahead log in the OS page cache: it survives a {@code kill -9} of
 * the process but not a power loss or a kernel crash. The replicator calls {@link #sync()} before each
 * checkpoint, so a checkpoint never claims more than the spill durably holds either way.
 *
 * <p><b>Bounds.</b> {@link #append} refuses (returns false) a batch that would take the queue past its byte bound,
 * or while its oldest entry is older than its age bound; the caller applies its policy
 * ({@link SpillBoundPolicy}). Never a silent drop.
 *
 * <p>Not thread-safe, except the size getters ({@link #entries()}, {@link #bytes()}, {@link #changes()}), which
 * may be read from any thread. Reopening a directory reads the remaining entries in order (each is checked).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class RocksSpillQueue<K, V> implements AutoCloseable {

    /** The record format version written and read. */
    public static final int FORMAT_VERSION = 1;

    /** The default byte bound: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    /** The default age bound: 24 hours. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

    private static final byte[] META_KEY = {(byte) 0xFF, 'm', 'e', 't', 'a'};
    private static final int HEADER = 1 + 8 + 4;
    private static final int FLAG_END = 1;
    private static final int FLAG_KEY = 2;
    private static final int FLAG_VALUE = 4;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final long maxBytes;
    private final long maxAgeMillis;
    private final boolean sync;
    private final Options options;
    private final WriteOptions writeOptions;
    /** Removals are never fsynced: a removal lost in a crash only re-sends a batch (sinks are idempotent). */
    private final WriteOptions removeOptions = new WriteOptions();
    private final RocksDB db;
    private final Buffer buf = new Buffer();
    private final DataOutputStream out = new DataOutputStream(buf);
    /** Sizes, change counts and creation times of the entries, oldest first. */
    private final ArrayDeque<long[]> index = new ArrayDeque<>();
    private long head;
    private long tail;
    private volatile long entries;
    /** Written by the owning thread only; atomic because the size getters read it from any thread. */
    private final AtomicLong bytes = new AtomicLong();
    /** Written by the owning thread only; atomic because the size getters read it from any thread. */
    private final AtomicLong changes = new AtomicLong();
    private boolean closed;
    /** A broken control for tests: serve the newest entry first (must fail the per-key order tests). */
    volatile boolean newestFirstForTests;
    /** Damage for tests: applied to every record read by {@link #peek()}; set by {@link #decodeHookForTests}. */
    private volatile UnaryOperator<byte[]> decodeHook;

    private RocksSpillQueue(Path dir, Codec<K> keyCodec, Codec<V> valueCodec, long maxBytes, Duration maxAge,
                            boolean sync) throws IOException {
        this.dir = dir;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.maxBytes = maxBytes;
        this.maxAgeMillis = maxAge.toMillis();
        this.sync = sync;
        Files.createDirectories(dir);
        Options o = new Options().setCreateIfMissing(true).setParanoidChecks(true);
        WriteOptions w = new WriteOptions().setSync(sync);
        RocksDB d = null;
        try {
            d = RocksDB.open(o, dir.toString());
            this.options = o;
            this.writeOptions = w;
            this.db = d;
            checkMeta();
            scan();
        } catch (RocksDBException e) {
            closeQuietly(d, o, w);
            removeOptions.close();
            throw translate(e, "cannot open the spill");
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(d, o, w);
            removeOptions.close();
            throw e;
        }
    }

    /**
     * Opens (or creates) a spill queue in a directory and checks every remaining entry.
     *
     * @param dir the directory (one queue per directory)
     * @param keyCodec encodes keys
     * @param valueCodec encodes values
     * @param maxBytes the byte bound, positive
     * @param maxAge the age bound of the oldest entry, positive
     * @param sync whether every append is fsynced
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the queue
     * @throws CorruptStateException if an entry or the database cannot be read (names the directory and problem)
     * @throws IOException if RocksDB cannot open the directory
     */
    public static <K, V> RocksSpillQueue<K, V> open(Path dir, Codec<K> keyCodec, Codec<V> valueCodec, long maxBytes,
                                                     Duration maxAge, boolean sync) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(keyCodec, "keyCodec");
        Objects.requireNonNull(valueCodec, "valueCodec");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
        return new RocksSpillQueue<>(dir, keyCodec, valueCodec, maxBytes, maxAge, sync);
    }

    /**
     * Deletes a spill directory and everything in it (recovery from a corrupt spill).
     *
     * @param dir the directory
     * @throws IOException if it cannot be deleted
     */
    public static void destroy(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Options o = new Options()) {
            RocksDB.destroyDB(dir.toString(), o);
        } catch (RocksDBException e) {
            // a database too broken for RocksDB to destroy: delete the files below
        }
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.toList());
            for (int i = paths.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(paths.get(i));
            }
        }
    }

    private void checkMeta() throws RocksDBException, IOException {
        byte[] kid = keyCodec.id().getBytes(StandardCharsets.UTF_8);
        byte[] vid = valueCodec.id().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + kid.length + 2 + vid.length);
        b.put((byte) FORMAT_VERSION).putShort((short) kid.length).put(kid).putShort((short) vid.length).put(vid);
        byte[] meta = b.array();
        byte[] stored = db.get(META_KEY);
        if (stored == null) {
            db.put(writeOptions, META_KEY, meta);
            return;
        }
        if (stored.length < 1 || stored[0] != FORMAT_VERSION) {
            throw new CorruptStateException(dir, "unknown spill format version "
                + (stored.length < 1 ? "(empty meta entry)" : Integer.toString(stored[0])) + " (this syncmap reads"
                + " version " + FORMAT_VERSION + ")");
        }
        if (!Arrays.equals(stored, meta)) {
            throw new CorruptStateException(dir, "the spill was written with other key/value codecs than "
                + keyCodec.id() + "/" + valueCodec.id());
        }
    }

    /** Reads every entry once: finds head and tail, checks each record, builds the index. */
    private void scan() throws IOException {
        long expected = -1;
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length != 8) {
                    continue; // the meta entry
                }
                long seq = ByteBuffer.wrap(k).getLong();
                if (expected >= 0 && seq != expected) {
                    throw new CorruptStateException(dir, "entries " + expected + " to " + (seq - 1) + " are missing");
                }
                if (expected < 0) {
                    head = seq;
                }
                byte[] v = it.value();
                long[] meta = check(seq, v);
                index.addLast(meta);
                expected = seq + 1;
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw translate(e, "cannot read the spill");
            }
        }
        tail = expected < 0 ? 0 : expected;
        if (expected < 0) {
            head = 0;
        }
        long b = 0;
        long c = 0;
        for (long[] m : index) {
            b += m[0];
            c += m[1];
        }
        bytes.set(b);
        changes.set(c);
        entries = index.size();
    }

    /** Checks a record's framing; returns {size, count, created}. */
    private long[] check(long seq, byte[] v) throws CorruptStateException {
        if (v.length < HEADER + 4) {
            throw new CorruptStateException(dir, "entry " + seq + " is truncated (" + v.length + " bytes)");
        }
        if (v[0] != FORMAT_VERSION) {
            throw new CorruptStateException(dir, "entry " + seq + " has unknown format version " + v[0]
                + " (this syncmap reads version " + FORMAT_VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(v, 0, v.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(v, v.length - 4, 4).getInt()) {
            throw new CorruptStateException(dir, "entry " + seq + " fails its CRC32C checksum (corrupt or truncated)");
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        b.get();
        long created = b.getLong();
        int count = b.getInt();
        if (count < 1) {
            throw new CorruptStateException(dir, "entry " + seq + " claims " + count + " envelopes");
        }
        return new long[] {v.length, count, created};
    }

    /**
     * Appends a batch as one entry, unless the queue is at its bound.
     *
     * @param batch the envelopes, not empty; encoded before anything is written
     * @param nowMillis the current time (epoch ms), recorded with the entry and compared with the age bound
     * @return true if appended; false if the byte bound would be passed or the oldest entry is past the age bound
     *     (nothing was written)
     * @throws IOException if a codec fails (nothing written) or RocksDB fails
     */
    public boolean append(List<Envelope<K, V>> batch, long nowMillis) throws IOException {
        ensureOpen();
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        if (isPastAge(nowMillis)) {
            return false;
        }
        byte[] record = encode(batch, nowMillis);
        if (entries > 0 && bytes.get() + record.length > maxBytes) { // a lone oversized batch still fits an empty queue
            return false;
        }
        byte[] key = key(tail);
        try (WriteBatch wb = new WriteBatch()) {
            wb.put(key, record);
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw translate(e, "cannot append to the spill");
        }
        tail++;
        index.addLast(new long[] {record.length, batch.size(), nowMillis});
        bytes.addAndGet(record.length);
        changes.addAndGet(batch.size());
        entries = index.size();
        return true;
    }

    /**
     * Tells whether the oldest entry is older than the age bound.
     *
     * @param nowMillis the current time (epoch ms)
     * @return true if past the age bound
     */
    public boolean isPastAge(long nowMillis) {
        long[] first = index.peekFirst();
        return first != null && nowMillis - first[2] > maxAgeMillis;
    }

    /**
     * Reads the oldest batch without removing it.
     *
     * @return the batch, or null if the queue is empty
     * @throws CorruptStateException if the entry cannot be read
     * @throws IOException if RocksDB fails
     */
    public List<Envelope<K, V>> peek() throws IOException {
        ensureOpen();
        if (index.isEmpty()) {
            return null;
        }
        long seq = newestFirstForTests ? tail - 1 : head;
        byte[] v;
        try {
            v = db.get(key(seq));
        } catch (RocksDBException e) {
            throw translate(e, "cannot read entry " + seq);
        }
        if (v == null) {
            throw new CorruptStateException(dir, "entry " + seq + " is missing");
        }
        var hook = decodeHook;
        return decode(seq, hook == null ? v : hook.apply(v));
    }

    /**
     * Removes the oldest batch.
     *
     * @throws IOException if RocksDB fails (the entry stays)
     */
    public void removeHead() throws IOException {
        ensureOpen();
        if (index.isEmpty()) {
            throw new IllegalStateException("the spill is empty");
        }
        boolean newest = newestFirstForTests;
        long seq = newest ? tail - 1 : head;
        try (WriteBatch wb = new WriteBatch()) {
            wb.delete(key(seq));
            db.write(removeOptions, wb);
        } catch (RocksDBException e) {
            throw translate(e, "cannot remove entry " + seq);
        }
        long[] m;
        if (newest) {
            m = index.removeLast();
            tail--;
        } else {
            m = index.removeFirst();
            head++;
        }
        bytes.addAndGet(-m[0]);
        changes.addAndGet(-m[1]);
        entries = index.size();
        if (index.isEmpty() && head > 4096) {
            compact();
        }
    }

    /**
     * Removes every entry (the sink is being re-anchored).
     *
     * @throws IOException if RocksDB fails
     */
    public void clear() throws IOException {
        ensureOpen();
        if (head != tail) {
            try (WriteBatch wb = new WriteBatch()) {
                wb.deleteRange(key(head), key(tail));
                db.write(writeOptions, wb);
            } catch (RocksDBException e) {
                throw translate(e, "cannot clear the spill");
            }
        }
        head = tail;
        index.clear();
        bytes.set(0);
        changes.set(0);
        entries = 0;
        compact();
    }

    private void compact() {
        try {
            db.compactRange();
        } catch (RocksDBException e) {
            // only space reclamation; the queue is consistent either way
        }
    }

    /**
     * Makes every append so far durable (fsyncs the write-ahead log); a no-op with {@code sync} appends.
     *
     * @throws IOException if RocksDB fails
     */
    public void sync() throws IOException {
        ensureOpen();
        if (sync) {
            return;
        }
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw translate(e, "cannot sync the spill");
        }
    }

    /**
     * Returns the number of batches queued.
     *
     * @return the count
     */
    public long entries() {
        return entries;
    }

    /**
     * Returns the bytes of the queued records.
     *
     * @return the byte count
     */
    public long bytes() {
        return bytes.get();
    }

    /**
     * Returns the number of envelopes queued.
     *
     * @return the count
     */
    public long changes() {
        return changes.get();
    }

    /**
     * Returns the directory.
     *
     * @return the path
     */
    public Path directory() {
        return dir;
    }

    /** Flushes RocksDB's memtable and closes the database. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
        } catch (RocksDBException e) {
            // the write-ahead log still holds everything
        }
        closeQuietly(db, options, writeOptions);
        removeOptions.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("spill " + dir + " is closed");
        }
    }

    private static void closeQuietly(RocksDB d, Options o, WriteOptions w) {
        if (d != null) {
            d.close();
        }
        w.close();
        o.close();
    }

    private CorruptStateException corrupt(String problem) {
        return new CorruptStateException(dir, problem);
    }

    private IOException translate(RocksDBException e, String what) {
        Status s = e.getStatus();
        if (s != null && s.getCode() == Status.Code.Corruption) {
            CorruptStateException c = corrupt(what + ": RocksDB reports corruption: " + e.getMessage());
            c.initCause(e);
            return c;
        }
        return new IOException(dir + ": " + what + ": " + e.getMessage(), e);
    }

    private static byte[] key(long seq) {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }

    byte[] encode(List<Envelope<K, V>> batch, long nowMillis) throws IOException {
        buf.reset();
        out.writeByte(FORMAT_VERSION);
        out.writeLong(nowMillis);
        out.writeInt(batch.size());
        String lastOrigin = null;
        byte[] originBytes = null;
        for (Envelope<K, V> e : batch) {
            int flags = (e.endOfRevision() ? FLAG_END : 0) | (e.key() != null ? FLAG_KEY : 0)
                | (e.value() != null ? FLAG_VALUE : 0);
            out.writeByte(e.kind().ordinal());
            out.writeByte(flags);
            if (!e.origin().equals(lastOrigin)) {
                lastOrigin = e.origin();
                originBytes = lastOrigin.getBytes(StandardCharsets.UTF_8);
            }
            out.writeShort(originBytes.length);
            out.write(originBytes);
            out.writeLong(e.originRevision());
            out.writeLong(e.stamp());
            out.writeLong(e.expiresAtMillis());
            if (e.key() != null) {
                int at = buf.size();
                out.writeInt(0);
                keyCodec.write(e.key(), out);
                buf.patchInt(at, buf.size() - at - 4);
            }
            if (e.value() != null) {
                int at = buf.size();
                out.writeInt(0);
                valueCodec.write(e.value(), out);
                buf.patchInt(at, buf.size() - at - 4);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.size());
        out.writeInt((int) crc.getValue());
        return Arrays.copyOf(buf.array(), buf.size());
    }

    List<Envelope<K, V>> decode(long seq, byte[] v) throws CorruptStateException {
        long[] meta = check(seq, v);
        int count = (int) meta[1];
        ByteBuffer b = ByteBuffer.wrap(v, 0, v.length - 4);
        b.position(HEADER);
        List<Envelope<K, V>> list = new ArrayList<>(count);
        Envelope.Kind[] kinds = Envelope.Kind.values();
        String lastOrigin = null;
        byte[] lastOriginBytes = null;
        try {
            for (int i = 0; i < count; i++) {
                int kind = b.get();
                if (kind < 0 || kind >= kinds.length) {
                    throw corrupt("entry " + seq + ", envelope " + i + ": unknown kind " + kind);
                }
                int flags = b.get();
                int ol = Short.toUnsignedInt(b.getShort());
                byte[] ob = new byte[ol];
                b.get(ob);
                String origin;
                if (Arrays.equals(ob, lastOriginBytes)) {
                    origin = lastOrigin;
                } else {
                    origin = new String(ob, StandardCharsets.UTF_8);
                    lastOrigin = origin;
                    lastOriginBytes = ob;
                }
                long rev = b.getLong();
                long stamp = b.getLong();
                long expires = b.getLong();
                K key = (flags & FLAG_KEY) != 0 ? read(seq, i, "key", keyCodec, b) : null;
                V value = (flags & FLAG_VALUE) != 0 ? read(seq, i, "value", valueCodec, b) : null;
                list.add(new Envelope<>(kinds[kind], origin, rev, stamp, key, value, (flags & FLAG_END) != 0,
                    expires));
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw corrupt("entry " + seq + " is truncated inside its envelopes");
        } catch (RuntimeException e) {
            throw corrupt("entry " + seq + " holds an invalid envelope: " + e);
        }
        if (b.hasRemaining()) {
            throw corrupt("entry " + seq + " has " + b.remaining() + " bytes after its " + count + " envelopes");
        }
        return list;
    }

    private <T> T read(long seq, int i, String what, Codec<T> codec, ByteBuffer b) throws CorruptStateException {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw corrupt("entry " + seq + ", envelope " + i + ": " + what + " length " + len + " exceeds the record");
        }
        ByteArrayInputStream in = new ByteArrayInputStream(b.array(), b.position(), len);
        T t;
        try {
            t = codec.read(new DataInputStream(in));
        } catch (IOException | RuntimeException e) {
            throw corrupt("entry " + seq + ", envelope " + i + ": codec " + codec.id() + " cannot read the " + what
                + ": " + e);
        }
        if (in.available() != 0) {
            throw corrupt("entry " + seq + ", envelope " + i + ": codec " + codec.id() + " left " + in.available()
                + " bytes of the " + what + " unread");
        }
        if (t == null) {
            throw corrupt("entry " + seq + ", envelope " + i + ": codec " + codec.id() + " read a null " + what);
        }
        b.position(b.position() + len);
        return t;
    }

    @Override
    public String toString() {
        return "RocksSpillQueue[" + dir + ", " + entries + " entries, " + bytes.get() + " bytes]";
    }

    /**
     * Damage for tests: applies a function to every record {@link #peek()} reads, before it is decoded.
     *
     * @param hook the damage, or null for none
     */
    void decodeHookForTests(UnaryOperator<byte[]> hook) {
        decodeHook = hook;
    }

    /** A growable byte array whose ints can be patched. */
    private static final class Buffer extends OutputStream {
        private byte[] a = new byte[4096];
        private int n;

        @Override
        public void write(int b) {
            grow(1);
            a[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            grow(len);
            System.arraycopy(b, off, a, n, len);
            n += len;
        }

        private void grow(int k) {
            if (n + k > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, n + k));
            }
        }

        void reset() {
            n = 0;
        }

        int size() {
            return n;
        }

        byte[] array() {
            return a;
        }

        void patchInt(int at, int v) {
            a[at] = (byte) (v >>> 24);
            a[at + 1] = (byte) (v >>> 16);
            a[at + 2] = (byte) (v >>> 8);
            a[at + 3] = (byte) v;
        }
    }
}
