package dev.syncmap.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations the kit fails, each applicable to the map under test and, with the same arguments, to the
 * reference model (a {@link java.util.HashMap}), so that the model applies exactly the calls that succeeded and
 * the two return values can be compared.
 *
 * <p>Mapping functions call {@code hook} on entry: a no-op for the model, a thrower or a recursive writer for the
 * map under test. Values are deterministic functions of the arguments, so model and map agree when nothing fails.
 */
enum MapOp {
    GET("get", false),
    CONTAINS_KEY("containsKey", false),
    PUT("put", false),
    PUT_IF_ABSENT("putIfAbsent", false),
    REMOVE("remove", false),
    REMOVE_IF_VALUE("remove(key, value)", false),
    REPLACE("replace", false),
    REPLACE_IF_VALUE("replace(key, old, new)", false),
    COMPUTE("compute", false),
    COMPUTE_TO_NULL("compute returning null", false),
    COMPUTE_IF_ABSENT("computeIfAbsent", false),
    COMPUTE_IF_PRESENT("computeIfPresent", false),
    COMPUTE_IF_PRESENT_TO_NULL("computeIfPresent returning null", false),
    MERGE("merge", false),
    PUT_ALL("putAll", true),
    REPLACE_ALL("replaceAll", true);

    /** The operations whose function the kit can make throw or recurse. */
    static final MapOp[] WITH_FUNCTION = {COMPUTE, COMPUTE_IF_ABSENT, COMPUTE_IF_PRESENT, MERGE, REPLACE_ALL};

    /** The value every preloaded key {@code k} maps to: its id times ten. */
    static int preloaded(FaultKey k) {
        return k.id() * 10;
    }

    final String label;
    /** Whether it changes several keys (its failure atomicity is the map's documented batch guarantee). */
    final boolean batch;

    MapOp(String label, boolean batch) {
        this.label = label;
        this.batch = batch;
    }

    /**
     * Applies the operation.
     *
     * @param m the map
     * @param k the key
     * @param v a value the write uses
     * @param source what {@code putAll} copies (built beforehand, off the thread a trap fires on); else null
     * @param hook run on entry to each call of the mapping function
     * @return what the call returned (boxed)
     */
    Object apply(Map<FaultKey, Integer> m, FaultKey k, int v, Map<FaultKey, Integer> source, Runnable hook) {
        return switch (this) {
            case GET -> m.get(k);
            case CONTAINS_KEY -> m.containsKey(k);
            case PUT -> m.put(k, v);
            case PUT_IF_ABSENT -> m.putIfAbsent(k, v);
            case REMOVE -> m.remove(k);
            case REMOVE_IF_VALUE -> m.remove(k, preloaded(k));
            case REPLACE -> m.replace(k, v);
            case REPLACE_IF_VALUE -> m.replace(k, preloaded(k), v);
            case COMPUTE -> m.compute(k, (key, old) -> {
                hook.run();
                return old == null ? v : old + v;
            });
            case COMPUTE_TO_NULL -> m.compute(k, (key, old) -> {
                hook.run();
                return null;
            });
            case COMPUTE_IF_ABSENT -> m.computeIfAbsent(k, key -> {
                hook.run();
                return v;
            });
            case COMPUTE_IF_PRESENT -> m.computeIfPresent(k, (key, old) -> {
                hook.run();
                return old + v;
            });
            case COMPUTE_IF_PRESENT_TO_NULL -> m.computeIfPresent(k, (key, old) -> {
                hook.run();
                return null;
            });
            case MERGE -> m.merge(k, v, (old, given) -> {
                hook.run();
                return old + given;
            });
            case PUT_ALL -> {
                m.putAll(source);
                yield null;
            }
            case REPLACE_ALL -> {
                m.replaceAll((key, old) -> {
                    hook.run();
                    return old + v;
                });
                yield null;
            }
        };
    }

    /** A {@code putAll} source writing {@code v} to {@code before}, then {@code k}, then {@code after}. */
    static Map<FaultKey, Integer> source(FaultKey before, FaultKey k, FaultKey after, int v) {
        Map<FaultKey, Integer> source = new LinkedHashMap<>();
        source.put(before, v);
        source.put(k, v);
        source.put(after, v);
        return source;
    }

    @Override
    public String toString() {
        return label;
    }
}
