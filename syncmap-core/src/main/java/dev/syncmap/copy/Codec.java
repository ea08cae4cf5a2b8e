package dev.syncmap.copy;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns keys or values of one type into bytes and back, for {@link SnapshotFormat}.
 *
 * <p>The {@link #id()} is written into every snapshot file and checked when reading, so a file is never decoded
 * with the wrong codec. Choose a stable, globally unique id (a reverse domain name, {@code "com.acme.money/1"})
 * and change it whenever the byte layout changes. Ids starting with {@code "syncmap."} are reserved for the
 * built-in codecs of {@link Codecs}.
 *
 * <p>{@link #read(DataInput)} must consume exactly the bytes {@link #write(Object, DataOutput)} produced: the
 * format frames every key and value with its length and rejects a record that a codec reads only partly (or past
 * its end). Codecs must be stateless or thread-safe; they may be used by several readers and writers at once.
 * Plug a user type either by implementing this interface or with {@link #of(String, Writer, Reader)}:
 *
 * <pre>{@code
 * Codec<Point> POINT = Codec.of("com.acme.point/1",
 *         (p, out) -> { out.writeInt(p.x()); out.writeInt(p.y()); },
 *         in -> new Point(in.readInt(), in.readInt()));
 * }</pre>
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {

    /**
     * Returns this codec's id: 1 to 255 bytes of UTF-8, written into every snapshot file.
     *
     * @return the id, never null
     */
    String id();

    /**
     * Writes one value.
     *
     * @param value the value, never null
     * @param out where to write
     * @throws IOException if the value cannot be encoded or {@code out} fails
     */
    void write(T value, DataOutput out) throws IOException;

    /**
     * Reads one value written by {@link #write(Object, DataOutput)}.
     *
     * @param in where to read, positioned at the start of the value's bytes
     * @return the value, never null
     * @throws IOException if the bytes are not a valid encoding
     */
    T read(DataInput in) throws IOException;

    /**
     * Writes a value; the writing half of {@link Codec#of}.
     *
     * @param <T> the type encoded
     */
    @FunctionalInterface
    interface Writer<T> {
        /**
         * Writes one value.
         *
         * @param value the value, never null
         * @param out where to write
         * @throws IOException if the value cannot be encoded
         */
        void write(T value, DataOutput out) throws IOException;
    }

    /**
     * Reads a value; the reading half of {@link Codec#of}.
     *
     * @param <T> the type decoded
     */
    @FunctionalInterface
    interface Reader<T> {
        /**
         * Reads one value.
         *
         * @param in where to read
         * @return the value, never null
         * @throws IOException if the bytes are not a valid encoding
         */
        T read(DataInput in) throws IOException;
    }

    /**
     * Builds a codec from an id and two functions.
     *
     * @param id the codec's id (see the class documentation)
     * @param writer writes a value
     * @param reader reads a value
     * @param <T> the type encoded
     * @return the codec
     * @throws IllegalArgumentException if the id is empty or longer than 255 bytes of UTF-8
     */
    static <T> Codec<T> of(String id, Writer<? super T> writer, Reader<? extends T> reader) {
        Codecs.checkId(id);
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(reader, "reader");
        return new Codecs.Named<>(id) {
            @Override
            public void write(T value, DataOutput out) throws IOException {
                writer.write(value, out);
            }

            @Override
            public T read(DataInput in) throws IOException {
                return reader.read(in);
            }
        };
    }
}
