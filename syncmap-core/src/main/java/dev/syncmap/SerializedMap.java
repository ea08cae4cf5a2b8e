package dev.syncmap;

import java.io.InvalidObjectException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The one serialized form of every syncmap map (a serialization proxy): which map it was, the settings that
 * shape it, and its mappings, copied as {@code [k0, v0, k1, v1, ...]}.
 *
 * <p>Each map's {@code writeReplace} returns one of these, built from a consistent copy of its content (what the
 * map's own copy guarantees: a snapshot for {@link VersionedMap}, {@link LockedMap} and {@link CopyOnWriteMap};
 * stripe by stripe, or an iteration's view, for {@link StripedMap} and {@link ReadDirtyMap}). On reading,
 * {@link #readResolve} checks everything before it builds a map, so a corrupt or forged stream gets an
 * {@link InvalidObjectException} naming what is wrong, never a map that breaks later. The maps themselves refuse
 * to be read any other way ({@link AbstractConcurrentMap}'s {@code readObject}).
 *
 * <p>The map is serializable only if its keys and values are (and, for a {@code VersionedMap}, its comparator).
 * What is not kept: a {@code VersionedMap}'s history, watches and estimator; a lock's state.
 */
final class SerializedMap implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Which map a form holds. */
    enum Kind { LOCKED, STRIPED, READ_DIRTY, COPY_ON_WRITE, VERSIONED }

    /** Which map this was. */
    private final Kind kind;
    /**
     * The settings, per kind: {@code LOCKED} {@code [fair ? 1 : 0]}; {@code STRIPED} {@code [stripes]};
     * {@code VERSIONED} {@code [historyCount, historyBytes, revision]}; the others none.
     */
    private final long[] settings;
    /** A {@code VersionedMap}'s key order, or null. */
    @SuppressWarnings("serial") // serializable if the map's comparator is, as documented
    private final Comparator<?> comparator;
    /** {@code [k0, v0, k1, v1, ...]}: serializable only if the keys and values are. */
    @SuppressWarnings("serial")
    private final Object[] keysAndValues;

    SerializedMap(Kind kind, long[] settings, Comparator<?> comparator, Object[] keysAndValues) {
        this.kind = kind;
        this.settings = settings;
        this.comparator = comparator;
        this.keysAndValues = keysAndValues;
    }

    @Serial
    private Object readResolve() throws InvalidObjectException {
        if (kind == null || settings == null) {
            throw new InvalidObjectException("malformed syncmap map stream: no kind or settings");
        }
        if (keysAndValues == null || keysAndValues.length % 2 != 0) {
            throw new InvalidObjectException("malformed " + kind + " map stream: the key/value array");
        }
        for (int i = 0; i < keysAndValues.length; i++) {
            if (keysAndValues[i] == null) {
                throw new InvalidObjectException("malformed " + kind + " map stream: a null "
                    + (i % 2 == 0 ? "key" : "value"));
            }
        }
        int size = keysAndValues.length / 2;
        try {
            return switch (kind) {
                case LOCKED -> fill(new LockedMap<>(size, fairFlag()));
                case STRIPED -> fill(new StripedMap<>(size, stripeCount()));
                case READ_DIRTY -> fill(new ReadDirtyMap<>());
                case COPY_ON_WRITE -> new CopyOnWriteMap<>(fill(new HashMap<>(size * 2)));
                case VERSIONED -> VersionedMap.restore(setting(0), setting(1), setting(2), comparator, keysAndValues);
            };
        } catch (IllegalArgumentException | ClassCastException e) {
            InvalidObjectException ioe = new InvalidObjectException("malformed " + kind + " map stream: " + e);
            ioe.initCause(e);
            throw ioe;
        }
    }

    private <M extends Map<Object, Object>> M fill(M map) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private long setting(int i) throws InvalidObjectException {
        if (i >= settings.length) {
            throw new InvalidObjectException("malformed " + kind + " map stream: " + settings.length + " settings");
        }
        return settings[i];
    }

    private boolean fairFlag() throws InvalidObjectException {
        long fair = setting(0);
        if (fair != 0 && fair != 1) {
            throw new InvalidObjectException("malformed LOCKED map stream: fairness flag " + fair);
        }
        return fair == 1;
    }

    private int stripeCount() throws InvalidObjectException {
        long stripes = setting(0);
        if (stripes < 1 || stripes > StripedMap.MAX_STRIPES || Long.bitCount(stripes) != 1) {
            throw new InvalidObjectException("malformed STRIPED map stream: stripe count " + stripes);
        }
        return (int) stripes; // a map writes only powers of two
    }
}
