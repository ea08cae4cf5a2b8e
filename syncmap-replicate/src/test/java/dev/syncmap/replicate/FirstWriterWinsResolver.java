package dev.syncmap.replicate;

/**
 * A custom resolver for the configuration tests, loaded by class name: the first live value stays (later writes
 * lose), so it disagrees with last-writer-wins on every update of an existing key.
 */
public final class FirstWriterWinsResolver implements ConflictResolver<Object, Object> {

    /** Public no-argument constructor, as configuration requires. */
    public FirstWriterWinsResolver() {}

    @Override
    public Versioned<Object> resolve(Object key, Versioned<Object> current, Versioned<Object> incoming) {
        return current == null || current.isTombstone() ? incoming : current;
    }

    @Override
    public boolean isOrderIndependent() {
        return false;
    }

    @Override
    public String name() {
        return "first-writer-wins";
    }

    /** Not a resolver at all (configuration must refuse it). */
    public static final class NotAResolver {
        /** Constructor. */
        public NotAResolver() {}
    }

    /** A resolver without a no-argument constructor (configuration must refuse it). */
    public static final class NeedsArgument implements ConflictResolver<Object, Object> {
        /**
         * Constructor.
         *
         * @param unused anything
         */
        public NeedsArgument(String unused) {}

        @Override
        public Versioned<Object> resolve(Object key, Versioned<Object> current, Versioned<Object> incoming) {
            return incoming;
        }
    }

    /** A size estimator loaded by class name: every value is 30,000 bytes. */
    public static final class Fixed30k implements ValueSizeEstimator<Object> {
        /** Constructor. */
        public Fixed30k() {}

        @Override
        public long estimate(Object value) {
            return 30_000;
        }
    }
}
