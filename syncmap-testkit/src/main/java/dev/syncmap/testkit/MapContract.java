package dev.syncmap.testkit;

import com.google.common.collect.testing.ConcurrentMapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.Feature;
import com.google.common.collect.testing.features.MapFeature;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * The whole {@link Map} and {@link ConcurrentMap} contract for a map implementation, from Guava testlib's
 * {@link ConcurrentMapTestSuiteBuilder}, run on JUnit 5 as dynamic tests (no vintage engine).
 *
 * <p>A map joins the verified set with one test factory:
 * <pre>{@code
 * class LockedMapContractTest {
 *     @TestFactory
 *     Stream<DynamicNode> contract() {
 *         return MapContract.suite("LockedMap", LockedMap::new);
 *     }
 * }
 * }</pre>
 *
 * <p>The default features are those every syncmap map promises: {@linkplain MapFeature#GENERAL_PURPOSE general
 * purpose} (put, remove, clear), {@linkplain CollectionSize#ANY any size}, {@linkplain
 * CollectionFeature#SUPPORTS_ITERATOR_REMOVE iterator remove} on the views, and {@linkplain
 * CollectionFeature#SERIALIZABLE serializable}. No {@code ALLOWS_NULL_*} feature is declared, so the suite checks
 * that null keys and values are rejected. {@link #forMap} returns a {@link Builder} that adds or removes
 * features and suppresses single cases for maps that promise less or more.
 *
 * <p>Every built suite reports its case count through {@link VerificationLog} (tool {@code contract}) and shows
 * it in the root container's display name.
 *
 * <p>Thread-safety: the builder is not thread-safe; the built tests run each case on a fresh map from the
 * factory, sequentially. Keys and values are {@link String}s.
 */
public final class MapContract {

    private static final Set<Feature<?>> DEFAULT_FEATURES = Collections.unmodifiableSet(new LinkedHashSet<>(
            Arrays.asList(
                    MapFeature.GENERAL_PURPOSE,
                    CollectionSize.ANY,
                    CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                    CollectionFeature.SERIALIZABLE)));

    private MapContract() {}

    /**
     * Builds the full contract suite with the default features for the maps a factory makes.
     *
     * @param name the name the suite and its reports carry, e.g. the class's simple name
     * @param factory makes a new, empty map on every call
     * @return the suite's root node, for a {@code @TestFactory} to return
     */
    public static Stream<DynamicNode> suite(String name, Supplier<? extends ConcurrentMap<String, String>> factory) {
        return forMap(name, factory).dynamicTests();
    }

    /**
     * Starts a suite with the default features, to be adjusted before it is built.
     *
     * @param name the name the suite and its reports carry
     * @param factory makes a new, empty map on every call
     * @return a builder
     */
    public static Builder forMap(String name, Supplier<? extends ConcurrentMap<String, String>> factory) {
        return new Builder(name, factory);
    }

    /**
     * The features every suite declares unless told otherwise.
     *
     * @return an unmodifiable set
     */
    public static Set<Feature<?>> defaultFeatures() {
        return DEFAULT_FEATURES;
    }

    /** Adjusts the features and suppressed cases of one map's contract suite, then builds it. */
    public static final class Builder {
        private final String name;
        private final Supplier<? extends ConcurrentMap<String, String>> factory;
        private final Set<Feature<?>> features = new LinkedHashSet<>(DEFAULT_FEATURES);
        private final Set<Method> suppressed = new LinkedHashSet<>();

        private Builder(String name, Supplier<? extends ConcurrentMap<String, String>> factory) {
            this.name = Objects.requireNonNull(name, "name");
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /**
         * Declares more features, e.g. {@link CollectionFeature#KNOWN_ORDER} for a map that iterates in
         * insertion order, or {@link CollectionFeature#SERIALIZABLE_INCLUDING_VIEWS}.
         *
         * @param more the features to add
         * @return this builder
         */
        public Builder withFeatures(Feature<?>... more) {
            features.addAll(Arrays.asList(more));
            return this;
        }

        /**
         * Withdraws features the map does not promise, e.g. {@link CollectionFeature#SERIALIZABLE}.
         *
         * @param fewer the features to remove
         * @return this builder
         */
        public Builder withoutFeatures(Feature<?>... fewer) {
            features.removeAll(Arrays.asList(fewer));
            return this;
        }

        /**
         * Leaves single test methods out, each a {@code public void test...()} of a Guava tester class.
         *
         * @param tests the methods to suppress
         * @return this builder
         */
        public Builder suppressing(Method... tests) {
            suppressed.addAll(Arrays.asList(tests));
            return this;
        }

        /**
         * Leaves one test method out, named by its tester class and method name, e.g.
         * {@code suppressing(MapPutTester.class, "testPut_nullKeyUnsupported")}.
         *
         * @param testerClass the Guava tester class declaring the method
         * @param methodName the method's name
         * @return this builder
         * @throws IllegalArgumentException if the class has no such public no-argument method
         */
        public Builder suppressing(Class<?> testerClass, String methodName) {
            try {
                suppressed.add(testerClass.getMethod(methodName));
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(testerClass.getName() + " has no test " + methodName, e);
            }
            return this;
        }

        /**
         * Builds the JUnit 3 suite as Guava makes it, for runners that take one.
         *
         * @return the suite, one case per applicable test method and derived view
         */
        public TestSuite testSuite() {
            return ConcurrentMapTestSuiteBuilder.using(new Generator(factory))
                    .named(name)
                    .withFeatures(features)
                    .suppressing(suppressed)
                    .createTestSuite();
        }

        /**
         * Counts the cases the suite would run, without running them.
         *
         * @return the number of test cases
         */
        public int caseCount() {
            return testSuite().countTestCases();
        }

        /**
         * Builds the suite as JUnit 5 dynamic tests and records its case count.
         *
         * @return a stream of one container, named after the map and the case count, holding the whole tree
         */
        public Stream<DynamicNode> dynamicTests() {
            TestSuite suite = testSuite();
            int cases = suite.countTestCases();
            VerificationLog.record("contract", name, cases, "Guava testlib ConcurrentMap cases, features " + features);
            return Stream.of(DynamicContainer.dynamicContainer(
                    name + " contract (" + cases + " cases)", JUnit3Suites.childrenOf(suite)));
        }
    }

    /** Guava's string-map generator over the factory's maps, filled with {@code put} in entry order. */
    private static final class Generator extends TestStringMapGenerator {
        private final Supplier<? extends ConcurrentMap<String, String>> factory;

        Generator(Supplier<? extends ConcurrentMap<String, String>> factory) {
            this.factory = factory;
        }

        @Override
        protected Map<String, String> create(Map.Entry<String, String>[] entries) {
            ConcurrentMap<String, String> map = Objects.requireNonNull(factory.get(), "factory returned null");
            for (Map.Entry<String, String> entry : entries) {
                map.put(entry.getKey(), entry.getValue());
            }
            return map;
        }
    }
}
