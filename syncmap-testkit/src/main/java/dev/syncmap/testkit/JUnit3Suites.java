package dev.syncmap.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import junit.framework.AssertionFailedError;
import junit.framework.Test;
import junit.framework.TestCase;
import junit.framework.TestFailure;
import junit.framework.TestResult;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs a JUnit 3 test tree (a {@link TestSuite} of {@link TestCase}s, as Guava testlib builds) on the JUnit
 * Platform through JUnit 5 dynamic tests, so no vintage engine is needed.
 *
 * <p>Each {@link TestSuite} becomes a {@link DynamicContainer} of the same name, each {@link TestCase} a
 * {@link DynamicTest} that calls {@link TestCase#runBare()} (set-up, test, tear-down) and lets its failure or
 * error propagate unchanged, so JUnit 5 reports the original assertion message and stack trace.
 *
 * <p>Thread-safety: stateless; the returned nodes run their cases on whatever thread JUnit uses.
 */
public final class JUnit3Suites {

    private JUnit3Suites() {}

    /**
     * Converts a JUnit 3 test tree into JUnit 5 dynamic nodes.
     *
     * @param test a {@link TestSuite}, a {@link TestCase}, or any other {@link Test}
     * @return a container for a suite, a dynamic test for a case; never null
     * @throws NullPointerException if {@code test} is null
     */
    public static DynamicNode toDynamicNode(Test test) {
        Objects.requireNonNull(test, "test");
        if (test instanceof TestSuite) {
            TestSuite suite = (TestSuite) test;
            return DynamicContainer.dynamicContainer(displayName(suite.getName(), suite), children(suite).stream());
        }
        if (test instanceof TestCase) {
            TestCase testCase = (TestCase) test;
            return DynamicTest.dynamicTest(displayName(testCase.getName(), testCase), testCase::runBare);
        }
        return DynamicTest.dynamicTest(displayName(null, test), () -> runThroughResult(test));
    }

    /**
     * Converts the children of a suite into dynamic nodes, without a container for the suite itself.
     *
     * @param suite the suite
     * @return one node per child test, in the suite's order
     */
    public static Stream<DynamicNode> childrenOf(TestSuite suite) {
        return children(Objects.requireNonNull(suite, "suite")).stream();
    }

    private static List<DynamicNode> children(TestSuite suite) {
        List<DynamicNode> nodes = new ArrayList<>(suite.testCount());
        for (Test child : Collections.list(suite.tests())) {
            nodes.add(toDynamicNode(child));
        }
        return nodes;
    }

    private static String displayName(String name, Test test) {
        return name == null || name.isEmpty() ? test.toString() : name;
    }

    /** Runs a {@link Test} that is neither a suite nor a case and rethrows its first error or failure. */
    private static void runThroughResult(Test test) throws Throwable {
        TestResult result = new TestResult();
        test.run(result);
        for (TestFailure error : Collections.list(result.errors())) {
            throw error.thrownException();
        }
        for (TestFailure failure : Collections.list(result.failures())) {
            throw failure.thrownException();
        }
        if (result.runCount() == 0) {
            throw new AssertionFailedError("the test ran no case: " + test);
        }
    }
}
