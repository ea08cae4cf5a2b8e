package dev.syncmap;

import java.util.SplittableRandom;

/**
 * A diagnostic, not a test (issue 12): where {@link ReadDirtyMap}'s latency tail comes from. One thread runs the
 * open-loop benchmark's mix (97.3 % gets, 2.7 % writes split between put and remove, 100k keys, half present) for
 * ten seconds, times every operation, and classifies each one slower than 200 µs by what the map did during it:
 * rebuilt the dirty map (the read map went from not amended to amended: the O(n) copy of Go's {@code sync.Map}
 * design, made by the first insert of a new key after a promotion), promoted, or neither.
 *
 * <p>Run from the module directory after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes dev.syncmap.ReadDirtyMapTailProbe}.
 */
final class ReadDirtyMapTailProbe {

    private static final long SLOW_NS = 200_000;

    private ReadDirtyMapTailProbe() {}

    public static void main(String[] args) {
        int keys = 100_000;
        ReadDirtyMap<Integer, Integer> m = new ReadDirtyMap<>();
        Integer[] ks = new Integer[keys];
        for (int i = 0; i < keys; i++) {
            ks[i] = i;
            if ((i & 1) == 0) {
                m.put(ks[i], i);
            }
        }
        SplittableRandom r = new SplittableRandom(42);
        long ops = 0;
        long slow = 0;
        long rebuilds = 0;
        long rebuildNs = 0;
        long promotionsSlow = 0;
        long other = 0;
        long worst = 0;
        long promotionsAtStart = m.debugState().promotions();
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            Integer k = ks[r.nextInt(keys)];
            double x = r.nextDouble();
            ReadDirtyMap.DebugState before = m.debugState();
            long t0 = System.nanoTime();
            if (x < 0.973) {
                m.get(k);
            } else if (x < 0.9865) {
                m.put(k, 1);
            } else {
                m.remove(k);
            }
            long d = System.nanoTime() - t0;
            ops++;
            if (d > SLOW_NS) {
                ReadDirtyMap.DebugState after = m.debugState();
                slow++;
                worst = Math.max(worst, d);
                if (after.amended() && !before.amended()) {
                    rebuilds++;
                    rebuildNs += d;
                } else if (after.promotions() != before.promotions()) {
                    promotionsSlow++;
                } else {
                    other++;
                }
            }
        }
        System.out.printf("%d ops, %d promotions; %d slower than 200 µs (worst %.1f ms): %d rebuilding the dirty map "
                + "(mean %.2f ms), %d promoting, %d other%n", ops, m.debugState().promotions() - promotionsAtStart,
            slow, worst / 1e6, rebuilds, rebuilds == 0 ? 0 : rebuildNs / 1e6 / rebuilds, promotionsSlow, other);
    }
}
