package dev.syncmap.testkit;

import java.io.Serializable;

/**
 * The key type of {@link FaultInjection}'s maps: an id with a chosen hash code, whose {@link #hashCode()} and
 * {@link #equals(Object)} the kit can arm to throw.
 *
 * <p>Two keys are equal when their ids are equal; distinct instances with one id are equal but not identical,
 * which is how the kit makes a map call {@code equals} (maps skip it for identical keys) and how it builds a
 * {@code putAll} source that yields one key twice. Keys of one <em>collision group</em> share a hash code and so
 * share every map's bin, stripe and lock. The natural order ({@link #compareTo}) is by hash code, then id, so
 * sorted maps accept these keys; it is never armed.
 *
 * <p>An armed key throws at most once, and only when called on the thread the kit runs the faulting operation on:
 * the kit's own checks, run on other threads, always see a well-behaved key. A map never sees an armed key unless
 * it is under {@link FaultInjection}'s test.
 *
 * <p>Thread-safety: immutable apart from the arming, which is published through a volatile field.
 */
public final class FaultKey implements Comparable<FaultKey>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int id;
    private final int hash;

    /** The armed fault, or null: set by the kit before an operation and cleared after it. */
    private transient volatile KeyTrap trap;

    private FaultKey(int id, int hash) {
        this.id = id;
        this.hash = hash;
    }

    /**
     * A key whose hash code is derived from its id (distinct ids, distinct hash codes).
     *
     * @param id the key's identity
     * @return a new, unarmed key
     */
    public static FaultKey of(int id) {
        return new FaultKey(id, id * 0x9E3779B9);
    }

    /**
     * A key with an explicit hash code: keys given one hash code collide in every map.
     *
     * @param id the key's identity
     * @param hash the hash code it reports
     * @return a new, unarmed key
     */
    public static FaultKey colliding(int id, int hash) {
        return new FaultKey(id, hash);
    }

    /**
     * Returns an equal, unarmed key that is a different instance.
     *
     * @return a new key with this id and hash code
     */
    public FaultKey copy() {
        return new FaultKey(id, hash);
    }

    /**
     * The key's identity: equal keys have equal ids.
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    void arm(KeyTrap armed) {
        trap = armed;
    }

    void disarm() {
        trap = null;
    }

    @Override
    public int hashCode() {
        KeyTrap t = trap;
        if (t != null) {
            t.onHashCode(this);
        }
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FaultKey other)) {
            return false;
        }
        KeyTrap t = trap;
        if (t != null) {
            t.onEquals(this, other);
        }
        return id == other.id;
    }

    @Override
    public int compareTo(FaultKey o) {
        int byHash = Integer.compare(hash, o.hash);
        return byHash != 0 ? byHash : Integer.compare(id, o.id);
    }

    @Override
    public String toString() {
        return "k" + id;
    }
}
