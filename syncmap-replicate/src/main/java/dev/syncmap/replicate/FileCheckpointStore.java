package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Checkpoints as one small file per sink in a directory, each replaced atomically: the new content is written to
 * a temporary file, forced to disk, moved over the old one with an atomic rename, and the directory is forced
 * so the rename itself survives a power loss.
 *
 * <p>File format ({@code <sink>.checkpoint}, big-endian): magic {@code "SMCP"}, format version (int, 1), origin
 * (UTF-8, length-prefixed by an unsigned short), revision (long), stamp (long), CRC32C of everything before it
 * (int). Anything else (truncated, wrong magic, unknown version, bad checksum, trailing bytes) is reported as a
 * {@link CorruptStateException} naming the file and the problem.
 */
public final class FileCheckpointStore implements CheckpointStore {

    static final int MAGIC = 0x534d4350; // "SMCP"
    static final int FORMAT_VERSION = 1;
    private static final String SUFFIX = ".checkpoint";

    private final Path dir;

    /**
     * A store in a directory, created if absent.
     *
     * @param dir the directory
     * @throws IOException if the directory cannot be created
     */
    public FileCheckpointStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(Objects.requireNonNull(dir, "dir"));
    }

    /**
     * Returns the file that holds a sink's checkpoint.
     *
     * @param sink the sink's name
     * @return the path
     */
    public Path fileOf(String sink) {
        return dir.resolve(Names.checkSinkName(sink) + SUFFIX);
    }

    @Override
    public Optional<Checkpoint> load(String sink) throws IOException {
        Path file = fileOf(sink);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.remaining() < 10) {
            throw new CorruptStateException(file, "truncated: " + bytes.length + " bytes");
        }
        if (b.getInt() != MAGIC) {
            throw new CorruptStateException(file, "not a syncmap checkpoint (wrong magic number)");
        }
        int version = b.getInt();
        if (version != FORMAT_VERSION) {
            throw new CorruptStateException(file, "unknown checkpoint format version " + version
                + " (this syncmap reads version " + FORMAT_VERSION + ")");
        }
        int originLength = Short.toUnsignedInt(b.getShort());
        if (b.remaining() != originLength + 8 + 8 + 4) {
            throw new CorruptStateException(file, "truncated or has trailing bytes: " + bytes.length + " bytes for an"
                + " origin of " + originLength);
        }
        String origin = new String(bytes, b.position(), originLength, StandardCharsets.UTF_8);
        b.position(b.position() + originLength);
        long revision = b.getLong();
        long stamp = b.getLong();
        int crcAt = b.position();
        int stored = b.getInt();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, crcAt);
        if ((int) crc.getValue() != stored) {
            throw new CorruptStateException(file, "checksum mismatch");
        }
        if (revision < 0) {
            throw new CorruptStateException(file, "negative revision " + revision);
        }
        return Optional.of(new Checkpoint(origin, revision, stamp));
    }

    @Override
    public void store(String sink, Checkpoint checkpoint) throws IOException {
        Path file = fileOf(sink);
        byte[] origin = checkpoint.origin().getBytes(StandardCharsets.UTF_8);
        if (origin.length > 0xFFFF) {
            throw new IllegalArgumentException("origin id longer than 65,535 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 2 + origin.length + 8 + 8 + 4);
        b.putInt(MAGIC).putInt(FORMAT_VERSION).putShort((short) origin.length).put(origin)
            .putLong(checkpoint.revision()).putLong(checkpoint.stamp());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("the file system of " + dir + " cannot rename atomically; checkpoints need it", e);
        }
        forceDirectory();
    }

    @Override
    public void delete(String sink) throws IOException {
        Files.deleteIfExists(fileOf(sink));
        forceDirectory();
    }

    /** Forces the directory entry (the rename) to disk; a no-op where the platform cannot open directories. */
    private void forceDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "FileCheckpointStore[" + dir + "]";
    }
}
