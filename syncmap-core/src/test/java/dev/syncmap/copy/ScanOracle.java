package dev.syncmap.copy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/** Checks a weakly consistent copy against the guarantee of {@link Consistency#WEAKLY_CONSISTENT}. */
final class ScanOracle {

    private ScanOracle() {}

    /**
     * Returns the violations (empty when the copy keeps the guarantee).
     *
     * @param presentThroughout keys present from before the copy started until after it ended
     * @param everPresent keys that were present at some moment during the copy
     * @param copied the copied mappings, in the order delivered
     * @param valueAllowed whether a delivered value is one its key had during the copy
     */
    static <K, V> List<String> violations(Set<K> presentThroughout, Set<K> everPresent,
                                          List<? extends Map.Entry<K, V>> copied, BiPredicate<K, V> valueAllowed) {
        List<String> problems = new ArrayList<>();
        Map<K, Integer> seen = new HashMap<>();
        for (Map.Entry<K, V> e : copied) {
            if (seen.merge(e.getKey(), 1, Integer::sum) == 2) {
                problems.add("key delivered twice: " + e.getKey());
            }
            if (!everPresent.contains(e.getKey())) {
                problems.add("key never present: " + e.getKey());
            }
            if (!valueAllowed.test(e.getKey(), e.getValue())) {
                problems.add("value never held: " + e);
            }
        }
        for (K k : presentThroughout) {
            if (!seen.containsKey(k)) {
                problems.add("key present throughout but missing: " + k);
            }
        }
        return problems;
    }
}
