package dev.syncmap.bench.versioned;

import java.util.SplittableRandom;

/**
 * A thread's precomputed operation stream: uniformly random key indexes and which positions are writes (an
 * exact share, shuffled), so the measured loop does no random number generation.
 */
final class OpStream {
    static final int LENGTH = 1 << 20;
    static final int MASK = LENGTH - 1;

    final int[] keyIndex = new int[LENGTH];
    final boolean[] write = new boolean[LENGTH];

    OpStream(int keys, int writePercent, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < LENGTH; i++) {
            keyIndex[i] = rnd.nextInt(keys);
            write[i] = i % 100 < writePercent;
        }
        for (int i = LENGTH - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            boolean t = write[i];
            write[i] = write[j];
            write[j] = t;
        }
    }
}
