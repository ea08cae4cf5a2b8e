package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The durable replica of {@link LoggedReplicaSink}: an append-only text file with one line per effective
 * application (a change that altered the replica's version of a key), {@code origin revision stamp key V<value>}
 * or {@code ... key T} for a tombstone. A line without its newline is a torn append (the writer was killed in the
 * middle of it) and is ignored; the sink truncates it before appending again.
 *
 * <p>Also the oracle: {@link #replay} (the replica's content: the last line of each key wins) and
 * {@link #doubles} (the same write, by origin, revision and key, applied more than once).
 */
final class ReplicaLog {

    /**
     * One effective application.
     *
     * @param origin the change's origin
     * @param revision its revision there
     * @param stamp its HLC stamp
     * @param key the key
     * @param value the value, or null for a tombstone
     */
    record Entry(String origin, long revision, long stamp, int key, String value) {
        String line() {
            return origin + ' ' + revision + ' ' + stamp + ' ' + key + ' ' + (value == null ? "T" : "V" + value)
                + '\n';
        }

        static Entry parse(String line) {
            String[] f = line.split(" ", 5);
            if (f.length != 5) {
                throw new IllegalStateException("malformed replica log line: " + line);
            }
            String v = f[4].charAt(0) == 'T' ? null : f[4].substring(1);
            return new Entry(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), v);
        }
    }

    private ReplicaLog() {}

    /**
     * Reads the complete lines of a log (none if it does not exist).
     *
     * @param file the log
     * @return its entries in order
     * @throws IOException if reading failed
     */
    static List<Entry> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        int from = 0;
        int nl;
        while ((nl = text.indexOf('\n', from)) >= 0) {
            out.add(Entry.parse(text.substring(from, nl)));
            from = nl + 1;
        }
        return out;
    }

    /**
     * Cuts a torn last line off a log (what a {@code kill -9} in the middle of an append leaves).
     *
     * @param file the log
     * @return the bytes cut
     * @throws IOException if it failed
     */
    static long truncateTornTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
            return size - keep;
        }
    }

    /**
     * The largest revision among a log's complete lines, read from its tail (-1 if none); the lines' revisions
     * never decrease within one run of the writer.
     *
     * @param file the log
     * @return the last complete line's revision
     * @throws IOException if reading failed
     */
    static long lastRevision(Path file) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.min(size, 4096);
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining() && ch.read(b, size - n + b.position()) > 0) {
                // read the tail
            }
            String tail = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            int end = tail.lastIndexOf('\n');
            if (end < 0) {
                return -1;
            }
            int prev = tail.lastIndexOf('\n', end - 1);
            if (prev < 0 && n < size) {
                return -1; // a line longer than the tail read: not in this log
            }
            int start = prev + 1;
            return Entry.parse(tail.substring(start, end)).revision();
        }
    }

    /**
     * The replica's content: each key's last entry, tombstones removed.
     *
     * @param log the entries
     * @return the content
     */
    static Map<Integer, String> replay(List<Entry> log) {
        Map<Integer, String> m = new HashMap<>();
        for (Entry e : log) {
            if (e.value() == null) {
                m.remove(e.key());
            } else {
                m.put(e.key(), e.value());
            }
        }
        return m;
    }

    /**
     * The writes applied more than once: entries whose (origin, revision, key) an earlier entry already had.
     *
     * @param log the entries
     * @return the repeated entries, in log order
     */
    static List<Entry> doubles(List<Entry> log) {
        Set<String> seen = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        for (Entry e : log) {
            if (!seen.add(e.origin() + ' ' + e.revision() + ' ' + e.key())) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * What an oracle found: keys missing from the replica, keys it should not have, keys with the wrong value,
     * and writes applied twice.
     *
     * @param missing keys the expected content has and the replica lacks
     * @param extra keys the replica has and the expected content lacks
     * @param wrong keys whose values differ
     * @param doubles entries that repeat an earlier write
     * @param entries the log's length
     */
    record Verdict(Set<Integer> missing, Set<Integer> extra, Set<Integer> wrong, List<Entry> doubles, int entries) {
        boolean clean() {
            return missing.isEmpty() && extra.isEmpty() && wrong.isEmpty() && doubles.isEmpty();
        }

        boolean lostSomething() {
            return !missing.isEmpty() || !extra.isEmpty() || !wrong.isEmpty();
        }

        @Override
        public String toString() {
            return "missing " + missing.size() + " " + first(missing) + ", extra " + extra.size() + " " + first(extra)
                + ", wrong " + wrong.size() + " " + first(wrong) + ", applied twice " + doubles.size() + " "
                + doubles.subList(0, Math.min(3, doubles.size())) + ", log entries " + entries;
        }

        private static String first(Set<Integer> s) {
            return new TreeSet<>(s).stream().limit(5).toList().toString();
        }
    }

    /**
     * Compares a log with the expected content.
     *
     * @param log the entries
     * @param expected the source's content
     * @return the verdict
     */
    static Verdict judge(List<Entry> log, Map<Integer, String> expected) {
        Map<Integer, String> actual = replay(log);
        Set<Integer> missing = new HashSet<>();
        Set<Integer> wrong = new HashSet<>();
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            String a = actual.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (!Objects.equals(a, e.getValue())) {
                wrong.add(e.getKey());
            }
        }
        Set<Integer> extra = new HashSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        return new Verdict(missing, extra, wrong, doubles(log), log.size());
    }
}
