package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A durable replica for the kill-and-restart test: a {@link MapReplicaSink} (the real version table, duplicate
 * check, resolver and anchor handling) whose every effective application is appended to a {@link ReplicaLog}
 * and forced to disk before {@link #write} returns, so what the pipeline checkpoints after a write is on disk.
 * At start the sink truncates a torn last line and feeds the log back into a fresh {@code MapReplicaSink}: the
 * version table survives the crash, and the changes the restarted pipeline replays are skipped as duplicates by
 * (origin, revision) where the replica already has them.
 *
 * <p>How effective applications are seen: the replica map handed to the {@code MapReplicaSink} records every
 * {@code put} and {@code remove(key)} the sink makes; the sink calls them only when a change alters a key's
 * version, after storing that version, so {@link MapReplicaSink#versionOf} then tells its origin and revision.
 *
 * <p>Broken control: {@code rebuildVersions = false} forgets the version table at start (the replica's content
 * is still the log's), so the replayed changes are applied a second time.
 */
final class LoggedReplicaSink implements Sink<Integer, String> {

    private final MapReplicaSink<Integer, String> inner;
    private final FileChannel log;
    private final StringBuilder pending = new StringBuilder();
    private boolean recording;
    private final int rebuilt;

    LoggedReplicaSink(String name, Path file, boolean rebuildVersions) throws IOException {
        ReplicaLog.truncateTornTail(file);
        List<ReplicaLog.Entry> entries = ReplicaLog.read(file);
        this.inner = new MapReplicaSink<>(name, new RecordingMap(this));
        if (rebuildVersions) {
            long now = System.currentTimeMillis();
            for (ReplicaLog.Entry e : entries) {
                Outcome o = inner.apply(e.key(), Versioned.of(e.value(), e.stamp(), e.origin(), e.revision(),
                    Envelope.NO_EXPIRY), now);
                if (o != Outcome.APPLIED) {
                    throw new IllegalStateException("replica log does not replay: " + e + " was " + o);
                }
            }
        }
        this.rebuilt = rebuildVersions ? entries.size() : 0;
        this.log = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        this.recording = true;
    }

    /** Entries fed back into the version table at start. */
    int rebuilt() {
        return rebuilt;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void write(List<Envelope<Integer, String>> batch) throws IOException {
        pending.setLength(0);
        inner.write(batch);
        if (pending.length() > 0) {
            ByteBuffer b = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                log.write(b);
            }
            log.force(false);
        }
    }

    private void record(Integer key) {
        if (!recording) {
            return;
        }
        Versioned<String> v = inner.versionOf(key);
        pending.append(new ReplicaLog.Entry(v.origin(), v.originRevision(), v.stamp(), key, v.value()).line());
    }

    @Override
    public void close() {
        try {
            log.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The replica map: records the keys the sink changes. */
    private static final class RecordingMap extends ConcurrentHashMap<Integer, String> {
        private static final long serialVersionUID = 1L;
        private final transient LoggedReplicaSink owner;

        RecordingMap(LoggedReplicaSink owner) {
            this.owner = owner;
        }

        @Override
        public String put(Integer key, String value) {
            String old = super.put(key, value);
            owner.record(key);
            return old;
        }

        @Override
        public String remove(Object key) {
            String old = super.remove(key);
            owner.record((Integer) key);
            return old;
        }
    }
}
