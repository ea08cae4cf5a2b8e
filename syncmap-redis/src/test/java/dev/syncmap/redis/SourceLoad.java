package dev.syncmap.redis;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.syncmap.VersionedMap;

/**
 * A writer on a source map for the tests: puts, removes and multi-key putAlls over a key range, at most a given number of
 * operations per millisecond (the machine is shared), until {@link #close()}.
 */
final class SourceLoad implements AutoCloseable {

    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException failure;

    private SourceLoad(VersionedMap<Integer, String> map, int keys, int perMilli) {
        thread = new Thread(() -> {
            try {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop) {
                    for (int i = 0; i < perMilli; i++) {
                        step(map, r, keys);
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "source-load");
        thread.setDaemon(true);
    }

    static SourceLoad start(VersionedMap<Integer, String> map, int keys, int perMilli) {
        SourceLoad l = new SourceLoad(map, keys, perMilli);
        l.thread.start();
        return l;
    }

    /** Runs a fixed number of operations on the calling thread. */
    static void run(VersionedMap<Integer, String> map, int ops, int keys) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < ops; i++) {
            step(map, r, keys);
        }
    }

    private static void step(VersionedMap<Integer, String> map, ThreadLocalRandom r, int keys) {
        int k = r.nextInt(keys);
        int op = r.nextInt(10);
        if (op < 6) {
            map.put(k, "v" + r.nextInt(1_000_000));
        } else if (op < 8) {
            map.remove(k);
        } else {
            Map<Integer, String> batch = new HashMap<>();
            for (int i = 0; i < 1 + r.nextInt(10); i++) {
                batch.put(r.nextInt(keys), "b" + r.nextInt(1_000_000));
            }
            map.putAll(batch);
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the load", e);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
