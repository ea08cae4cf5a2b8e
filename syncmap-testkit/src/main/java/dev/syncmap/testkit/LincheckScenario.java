package dev.syncmap.testkit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * A hand-written Lincheck scenario over the {@code @Operation}s of a test class, for regression tests that pin
 * one interleaving-sensitive bug (name them after it, e.g. {@code Issue12SizeDuringPutTest}): random scenario
 * generation may take long to stumble on a three-operation bug, while model checking a fixed scenario explores
 * its interleavings deterministically.
 * <pre>{@code
 * ExecutionScenario scenario = LincheckScenario.of(AbstractMapLincheckTest.class)
 *         .thread(0, "putIfAbsent", 3, 1)
 *         .thread(1, "merge", 3, 2)
 *         .thread(1, "size")
 *         .build();
 * LincheckScenario.modelCheck(MyMapLincheckTest.class, scenario);
 * }</pre>
 * Operations are found by name and argument count among the class's public {@code @Operation} methods.
 */
public final class LincheckScenario {

    private final Class<?> operations;
    private final List<Actor> initial = new ArrayList<>();
    private final List<List<Actor>> parallel = new ArrayList<>();
    private final List<Actor> post = new ArrayList<>();

    private LincheckScenario(Class<?> operations) {
        this.operations = Objects.requireNonNull(operations, "operations");
    }

    /**
     * Starts a scenario over the operations a test class (or one of its superclasses) declares.
     *
     * @param operations the class whose {@code @Operation} methods the scenario calls
     * @return an empty scenario
     */
    public static LincheckScenario of(Class<?> operations) {
        return new LincheckScenario(operations);
    }

    /**
     * Appends an operation run before the parallel part.
     *
     * @param operation the {@code @Operation} method's name
     * @param args its arguments
     * @return this
     */
    public LincheckScenario initially(String operation, Object... args) {
        initial.add(actor(operation, args));
        return this;
    }

    /**
     * Appends an operation to one thread of the parallel part, creating threads up to that index.
     *
     * @param thread the thread's index, from 0
     * @param operation the {@code @Operation} method's name
     * @param args its arguments
     * @return this
     */
    public LincheckScenario thread(int thread, String operation, Object... args) {
        if (thread < 0) {
            throw new IllegalArgumentException("thread index must not be negative: " + thread);
        }
        while (parallel.size() <= thread) {
            parallel.add(new ArrayList<>());
        }
        parallel.get(thread).add(actor(operation, args));
        return this;
    }

    /**
     * Appends an operation run after the parallel part.
     *
     * @param operation the {@code @Operation} method's name
     * @param args its arguments
     * @return this
     */
    public LincheckScenario afterwards(String operation, Object... args) {
        post.add(actor(operation, args));
        return this;
    }

    /**
     * Builds the scenario.
     *
     * @return a Lincheck scenario for {@code ModelCheckingOptions.addCustomScenario}
     * @throws IllegalStateException if the parallel part has fewer than two threads
     */
    public ExecutionScenario build() {
        if (parallel.size() < 2) {
            throw new IllegalStateException("a concurrent scenario needs at least two threads: " + parallel.size());
        }
        List<List<Actor>> threads = new ArrayList<>();
        for (List<Actor> thread : parallel) {
            threads.add(List.copyOf(thread));
        }
        return new ExecutionScenario(List.copyOf(initial), threads, List.copyOf(post), null);
    }

    /**
     * Model-checks exactly one scenario (no random ones) against the {@link AbstractMapLincheckTest.Specification}
     * with the invocation budget of {@link LincheckBudget#fromSystemProperties()}.
     *
     * @param testClass a public test class with a public no-argument constructor
     * @param scenario the scenario
     * @throws org.jetbrains.lincheck.LincheckAssertionError if an interleaving is not linearizable
     */
    public static void modelCheck(Class<?> testClass, ExecutionScenario scenario) {
        LincheckBudget budget = LincheckBudget.fromSystemProperties();
        new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(budget.invocations())
                .addCustomScenario(scenario)
                .sequentialSpecification(AbstractMapLincheckTest.Specification.class)
                .check(testClass);
    }

    private Actor actor(String operation, Object... args) {
        List<Method> candidates = new ArrayList<>();
        for (Method method : operations.getMethods()) {
            if (method.isAnnotationPresent(Operation.class) && method.getName().equals(operation)
                    && method.getParameterCount() == args.length) {
                candidates.add(method);
            }
        }
        if (candidates.size() != 1) {
            throw new IllegalArgumentException(candidates.size() + " @Operation methods " + operation + " with "
                    + args.length + " argument(s) in " + operations.getName() + ": " + candidates);
        }
        return new Actor(candidates.get(0), Arrays.asList(args), false, false, false, false, false);
    }
}
