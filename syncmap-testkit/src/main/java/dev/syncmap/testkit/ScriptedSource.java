package dev.syncmap.testkit;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A {@code putAll} source that yields a fixed list of entries (one key may appear twice: a broken or concurrently
 * modified map can do that) and, when it has a fault, throws it from its iterator on reaching entry
 * {@code throwAt}, on the victim thread only.
 */
final class ScriptedSource extends AbstractMap<FaultKey, Integer> {

    private final List<Map.Entry<FaultKey, Integer>> entries;
    private final int throwAt;
    private final Fault fault;
    private final Thread victim;

    ScriptedSource(List<Map.Entry<FaultKey, Integer>> entries, int throwAt, Fault fault, Thread victim) {
        this.entries = List.copyOf(entries);
        this.throwAt = throwAt;
        this.fault = fault;
        this.victim = victim;
    }

    /** Applies the entries a map could have read before the fault (all of them if it never fired). */
    Object applyTo(Map<FaultKey, Integer> m) {
        int n = fault != null && fault.fired() ? throwAt : entries.size();
        for (Map.Entry<FaultKey, Integer> e : entries.subList(0, n)) {
            m.put(e.getKey(), e.getValue());
        }
        return null;
    }

    @Override
    public Set<Map.Entry<FaultKey, Integer>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return entries.size();
            }

            @Override
            public Iterator<Map.Entry<FaultKey, Integer>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < entries.size();
                    }

                    @Override
                    public Map.Entry<FaultKey, Integer> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        if (next == throwAt && fault != null && Thread.currentThread() == victim) {
                            fault.fire();
                        }
                        return entries.get(next++);
                    }
                };
            }
        };
    }
}
