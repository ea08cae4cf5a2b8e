package dev.syncmap.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * {@code @TempDir} in memory (/dev/shm) where the machine has it, else the default temporary directory. For a
 * redis-server with {@code appendfsync always} that is killed with SIGKILL: the process dies, the operating
 * system and its page cache do not, so what Redis wrote before replying survives exactly as on a disk, while an
 * fsync costs nothing instead of milliseconds per batch on a shared disk (which would make the drain after the
 * outage measure the disk, not the pipeline).
 */
public final class MemoryTempDirFactory implements TempDirFactory {

    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
        return Files.isDirectory(SHM) && Files.isWritable(SHM) ? Files.createTempDirectory(SHM, "syncmap-redis-")
            : Files.createTempDirectory("syncmap-redis-");
    }
}
