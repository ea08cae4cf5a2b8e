package dev.syncmap.copy;

import dev.syncmap.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helpers for snapshot-format tests: writing, reading, crafting and cutting files. */
final class SnapshotFiles {

    private SnapshotFiles() {}

    static <K, V> byte[] write(SnapshotFormat<K, V> format, Map<K, V> source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            format.write(source, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static <K, V> Snapshot<K, V> read(SnapshotFormat<K, V> format, byte[] file) throws IOException {
        return format.read(new ByteArrayInputStream(file));
    }

    /** A snapshot that iterates the given entries and reports whatever size it is told: for faulty writers. */
    static final class LyingSnapshot<K, V> extends AbstractMap<K, V> implements Snapshot<K, V> {
        private final List<Map.Entry<K, V>> entries;
        private final int size;

        LyingSnapshot(List<Map.Entry<K, V>> entries, int size) {
            this.entries = entries;
            this.size = size;
        }

        @Override
        public long revision() {
            return 5;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            return new AbstractSetOf<>(entries);
        }

        private static final class AbstractSetOf<E> extends java.util.AbstractSet<E> {
            private final List<E> list;

            AbstractSetOf(List<E> list) {
                this.list = list;
            }

            @Override
            public java.util.Iterator<E> iterator() {
                return list.iterator();
            }

            @Override
            public int size() {
                return list.size();
            }
        }
    }

    /** Writes a version-1 file by hand with Integer keys and values, announcing {@code count} entries. */
    static byte[] craftIntFile(int version, long count, int... keysAndValues) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.Writer frames = new Frames.Writer(out);
        frames.writeMagic();
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(header);
        h.writeShort(version);
        h.writeLong(0);
        h.writeLong(count);
        for (String id : new String[] {"syncmap.int", "syncmap.int"}) {
            h.writeByte(id.length());
            h.writeBytes(id);
        }
        frames.writeFrame(header.toByteArray());
        DataOutputStream body = new DataOutputStream(frames);
        for (int x : keysAndValues) {
            body.writeByte(4);
            body.writeInt(x);
        }
        frames.finish();
        return out.toByteArray();
    }

    /** Splits a file into [magic, header frame, body frames..., end frame, trailer] byte ranges. */
    static List<byte[]> split(byte[] file) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(java.util.Arrays.copyOfRange(file, 0, 8));
        int at = 8;
        while (true) {
            int length = ((file[at] & 0xFF) << 24) | ((file[at + 1] & 0xFF) << 16) | ((file[at + 2] & 0xFF) << 8)
                | (file[at + 3] & 0xFF);
            parts.add(java.util.Arrays.copyOfRange(file, at, at + 12 + length));
            at += 12 + length;
            if (length == 0) {
                break;
            }
        }
        parts.add(java.util.Arrays.copyOfRange(file, at, file.length));
        return parts;
    }

    static byte[] join(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    static Set<Integer> positions(int n) {
        Set<Integer> all = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }
}
