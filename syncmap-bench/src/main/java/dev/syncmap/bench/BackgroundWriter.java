package dev.syncmap.bench;

import java.util.Map;

/**
 * A thread that writes to a map as fast as it can (half puts, half removes, uniform keys, so the size stays near
 * its initial value) until closed: the "while a writer runs" of the iteration, snapshot and size benchmarks.
 *
 * <p>Implementation notes. The thread is not one of JMH's benchmark threads: it is started by an iteration-level
 * {@code @Setup} and stopped by the matching {@code @TearDown}, so the measured methods see a writer throughout
 * every iteration, warm-up included, and the writer's own speed is not part of any score. It competes for CPU
 * with the measured threads; on a machine with fewer cores than benchmark threads + 1 that competition is part of
 * the result. {@link #close()} joins the thread and rethrows anything it threw, so a map that fails under
 * concurrent writes fails the benchmark instead of silently measuring a stopped writer.
 *
 * <p>{@code running} is {@code volatile}: the only cross-thread signal, read once per write.
 */
final class BackgroundWriter implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long writes; // written by the writer thread, read after join()

    private BackgroundWriter(Map<Integer, Integer> map, Integer[] boxed, long seed) {
        OpStream stream = OpStream.generate(0.0, Keys.UNIFORM, boxed, OpStream.STREAM_LENGTH, seed);
        this.thread = new Thread(() -> writeUntilClosed(map, stream), "syncmap-bench-writer");
        this.thread.setDaemon(true);
    }

    /**
     * Starts a writer on {@code map}.
     *
     * @param map the map to write to
     * @param boxed the key objects of the benchmark
     * @return the running writer; close it to stop it
     */
    static BackgroundWriter start(Map<Integer, Integer> map, Integer[] boxed) {
        BackgroundWriter writer = new BackgroundWriter(map, boxed, OpStream.threadSeed(-1));
        writer.thread.start();
        return writer;
    }

    private void writeUntilClosed(Map<Integer, Integer> map, OpStream stream) {
        byte[] kinds = stream.kinds();
        Integer[] keys = stream.keys();
        int mask = stream.mask();
        long count = 0;
        try {
            while (running) {
                int slot = (int) count & mask;
                Integer key = keys[slot];
                if (kinds[slot] == OpStream.PUT) {
                    map.put(key, key);
                } else {
                    map.remove(key);
                }
                count++;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            writes = count;
        }
    }

    /**
     * The number of writes done; exact after {@link #close()}.
     *
     * @return the write count
     */
    long writes() {
        return writes;
    }

    /**
     * Stops the writer and waits for it.
     *
     * @throws IllegalStateException wrapping whatever the writer threw
     */
    @Override
    public void close() {
        running = false;
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("background writer failed", t);
        }
    }
}
