package dev.syncmap.jcstress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.TestGrading;

/**
 * Runs the module's jcstress tests from the build and turns their results into a pass/fail verdict, so that
 * {@code mvn verify} fails on a forbidden outcome instead of leaving it in an HTML report.
 *
 * <p>Up to three runs, all in this JVM through jcstress's own API (jcstress forks a JVM per test configuration):
 * <ol>
 *   <li><b>Real tests</b>: every test not marked {@link RacyControl}, in the mode given by {@code --mode}
 *       ({@code sanity} in CI). Passes if every selected test produced results, every result has status
 *       {@code NORMAL}, and no outcome graded {@code FORBIDDEN} (or unknown) was observed.</li>
 *   <li><b>Real termination tests</b> ({@code Mode.Termination}: an actor that must finish after a signal) are
 *       graded the same way but run as the controls are (one fork, one iteration of {@code --control-millis}),
 *       because a {@code sanity} iteration of 0 ms collects no termination sample at all.</li>
 *   <li><b>Controls</b>: the {@link RacyControl} tests, in {@code quick} mode with one fork, one iteration of
 *       {@code --control-millis} and a single JVM configuration. Passes only if each control <em>fails</em>:
 *       its deliberately racy, {@code FORBIDDEN} outcome must be observed. Sanity mode takes a handful of
 *       samples, too few to observe any race, which is why the controls get their own timed run.</li>
 * </ol>
 * Results are read back from jcstress's binary result file with its {@link DiskReadCollector} and graded with
 * its own {@link TestGrading}, not parsed from console text or HTML; the HTML reports still go to
 * {@code results/tests} and {@code results/controls} under the working directory.
 *
 * <p>Arguments: {@code --mode=<jcstress mode>}; {@code --control-millis=<ms>}; {@code --jvm-args=<JVM options>}
 * (one JVM configuration for both runs, e.g. {@code -XX:+TieredCompilation}; empty lets jcstress auto-detect its
 * dozen configurations, interpreter, C1, C2 and C2 stress randomizers, each a fork per test); {@code
 * --extra-args=<jcstress options, space-separated>} (added to both runs, e.g. {@code -sc false}, {@code -c 2},
 * or {@code -t Publication}, which narrows the real tests; the controls always run). Exit status 0 when both
 * runs pass, 1 otherwise, 2 on bad arguments.
 */
public final class JCStressGate {

    private JCStressGate() {}

    /**
     * Runs both phases and exits with the verdict.
     *
     * @param args see the class description
     * @throws Exception if jcstress cannot run or its results cannot be read
     */
    public static void main(String[] args) throws Exception {
        String mode = "sanity";
        int controlMillis = 200;
        String jvmArgs = "";
        List<String> extra = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--mode=")) {
                mode = arg.substring("--mode=".length());
            } else if (arg.startsWith("--control-millis=")) {
                controlMillis = Integer.parseInt(arg.substring("--control-millis=".length()));
            } else if (arg.startsWith("--jvm-args=")) {
                jvmArgs = arg.substring("--jvm-args=".length()).trim();
            } else if (arg.startsWith("--extra-args=")) {
                String text = arg.substring("--extra-args=".length()).trim();
                if (!text.isEmpty()) {
                    extra.addAll(Arrays.asList(text.split("\\s+")));
                }
            } else {
                System.err.println("unknown argument: " + arg
                        + " (expected --mode=, --control-millis=, --jvm-args=, --extra-args=)");
                System.exit(2);
            }
        }
        if (!jvmArgs.isEmpty()) {
            extra.addAll(0, List.of("-jvmArgs", jvmArgs));
        }
        List<String> problems = new ArrayList<>();
        List<String> report = new ArrayList<>();
        SortedSet<String> realTests = new TreeSet<>();
        SortedSet<String> terminationTests = new TreeSet<>();
        for (String test : select(extra)) {
            if (!isControl(test)) {
                (isTermination(test) && "sanity".equals(mode) ? terminationTests : realTests).add(test);
            }
        }
        if (realTests.isEmpty() && terminationTests.isEmpty()) {
            problems.add("no real jcstress test selected: nothing was verified");
        }
        if (!realTests.isEmpty()) {
            Map<String, String> run = options(List.of("-m", mode));
            run.putAll(options(extra));
            run.put("-r", "results/tests");
            run.put("-t", exactly(realTests));
            Map<String, List<TestResult>> results = runJCStress(run);
            for (String test : realTests) {
                checkRealTest(test, results.get(test), report, problems);
            }
        }
        if (!terminationTests.isEmpty()) {
            Map<String, String> run = options(extra);
            run.putAll(options(List.of("-m", "quick", "-f", "1", "-iters", "1",
                    "-time", Integer.toString(controlMillis))));
            run.put("-r", "results/termination");
            run.put("-t", exactly(terminationTests));
            Map<String, List<TestResult>> results = runJCStress(run);
            for (String test : terminationTests) {
                checkRealTest(test, results.get(test), report, problems);
            }
        }
        SortedSet<String> allControls = new TreeSet<>(controlsIn(listAll()));
        if (allControls.isEmpty()) {
            problems.add("no @RacyControl test: the gate cannot show that the harness sees races");
        } else {
            Map<String, String> run = options(extra);
            run.putAll(options(List.of("-m", "quick", "-f", "1", "-iters", "1",
                    "-time", Integer.toString(controlMillis), "-sc", "false")));
            run.put("-r", "results/controls");
            run.put("-t", exactly(allControls));
            Map<String, List<TestResult>> results = runJCStress(run);
            for (String control : allControls) {
                checkControl(control, results.get(control), report, problems);
            }
        }
        System.out.println();
        System.out.println("==== syncmap jcstress gate (real tests in '" + mode + "' mode, controls "
                + controlMillis + " ms, JVM " + (jvmArgs.isEmpty() ? "configurations auto-detected" : "args "
                + jvmArgs) + ") ====");
        report.forEach(System.out::println);
        if (problems.isEmpty()) {
            System.out.println("PASSED: " + (realTests.size() + terminationTests.size())
                    + " real test(s) without forbidden outcomes, "
                    + allControls.size() + " racy control(s) reported as expected");
            System.exit(0);
        }
        System.out.println("FAILED:");
        problems.forEach(problem -> System.out.println("  - " + problem));
        System.exit(1);
    }

    /* ---------------- Verdicts ---------------- */

    private static void checkRealTest(String test, List<TestResult> results, List<String> report,
            List<String> problems) {
        if (results == null || results.isEmpty()) {
            report.add("[NO RESULT]  " + test);
            problems.add(test + ": no results. A test needs at most as many actors as CPUs (-c), and a fork "
                    + "that dies before reporting leaves none; see the console output above.");
            return;
        }
        List<String> errors = errors(results);
        List<String> forbidden = forbiddenObservations(results);
        long samples = samples(results);
        if (!errors.isEmpty()) {
            report.add("[ERROR]      " + test);
            errors.forEach(error -> problems.add(test + ": " + error));
        } else if (!forbidden.isEmpty()) {
            report.add("[FORBIDDEN]  " + test + "  " + String.join("; ", forbidden));
            problems.add(test + ": forbidden outcome observed: " + String.join("; ", forbidden));
        } else if (samples == 0) {
            report.add("[NO SAMPLES] " + test);
            problems.add(test + ": ran but collected no samples");
        } else {
            report.add("[OK]         " + test + "  " + samples + " samples in " + results.size() + " fork(s), "
                    + observedOutcomes(results));
        }
    }

    private static void checkControl(String control, List<TestResult> results, List<String> report,
            List<String> problems) {
        if (results == null || results.isEmpty()) {
            report.add("[NO RESULT]  control " + control);
            problems.add("control " + control + ": no results, so nothing shows the harness can see races");
            return;
        }
        List<String> errors = errors(results);
        if (!errors.isEmpty()) {
            report.add("[ERROR]      control " + control);
            errors.forEach(error -> problems.add("control " + control + ": " + error));
            return;
        }
        List<String> forbidden = forbiddenObservations(results);
        long samples = samples(results);
        if (forbidden.isEmpty()) {
            report.add("[BLIND]      control " + control + "  race not observed in " + samples + " samples");
            problems.add("control " + control + " (" + describeControl(control) + ") was NOT reported: its race "
                    + "never showed in " + samples + " samples. Either the harness is broken or the run was too "
                    + "short; raise -Djcstress.controlMillis.");
        } else {
            report.add("[REPORTED]   control " + control + "  as expected: " + String.join("; ", forbidden)
                    + " in " + samples + " samples");
        }
    }

    private static List<String> errors(List<TestResult> results) {
        List<String> errors = new ArrayList<>();
        for (TestResult result : results) {
            if (result.status() != Status.NORMAL) {
                List<String> messages = result.getMessages();
                errors.add("status " + result.status() + (messages.isEmpty() ? ""
                        : ": " + messages.stream().limit(5).collect(Collectors.joining(" | "))));
            }
        }
        return errors;
    }

    /** Outcomes jcstress grades as failures (FORBIDDEN, or a state no {@code @Outcome} declares), summed over forks. */
    private static List<String> forbiddenObservations(List<TestResult> results) {
        Map<String, Long> counts = new TreeMap<>();
        Map<String, String> descriptions = new TreeMap<>();
        for (TestResult result : results) {
            TestGrading grading = result.grading();
            for (GradingResult outcome : grading.gradingResults.values()) {
                if (outcome.count > 0 && !TestGrading.passed(outcome.expect, outcome.count)) {
                    counts.merge(outcome.id, outcome.count, Long::sum);
                    descriptions.put(outcome.id, outcome.expect + ": " + outcome.description);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        counts.forEach((id, count) -> lines.add("'" + id + "' x" + count + " (" + descriptions.get(id) + ")"));
        return lines;
    }

    private static String observedOutcomes(List<TestResult> results) {
        Map<String, Long> counts = new TreeMap<>();
        for (TestResult result : results) {
            for (GradingResult outcome : result.grading().gradingResults.values()) {
                if (outcome.count > 0) {
                    counts.merge(outcome.id + " " + shortExpect(outcome.expect), outcome.count, Long::sum);
                }
            }
        }
        return counts.entrySet().stream()
                .map(entry -> "'" + entry.getKey() + "' x" + entry.getValue())
                .collect(Collectors.joining(", ", "observed ", ""));
    }

    private static String shortExpect(Expect expect) {
        return expect == Expect.ACCEPTABLE_INTERESTING ? "(interesting)" : "(" + expect.name().toLowerCase() + ")";
    }

    private static long samples(List<TestResult> results) {
        return results.stream().mapToLong(TestResult::getTotalCount).sum();
    }

    /* ---------------- jcstress plumbing ---------------- */

    /** Runs jcstress with the given options and reads back every result, grouped by test name. */
    private static Map<String, List<TestResult>> runJCStress(Map<String, String> optionMap) throws Exception {
        List<String> args = new ArrayList<>();
        optionMap.forEach((option, value) -> {
            args.add(option);
            if (value != null) {
                args.add(value);
            }
        });
        System.out.println(">>> jcstress " + String.join(" ", args));
        Options options = parseOptions(args);
        try {
            new JCStress(options).run();
        } catch (AssertionError failures) {
            // jcstress's own report ends by throwing when any test failed (a control always does); the results
            // are already on disk, and the verdicts below decide.
            System.out.println("(jcstress reported failures; the gate grades them below)");
        }
        Map<String, List<TestResult>> byTest = new TreeMap<>();
        DiskReadCollector reader = new DiskReadCollector(options.getResultFile(),
                result -> byTest.computeIfAbsent(result.getName(), name -> new ArrayList<>()).add(result));
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        return byTest;
    }

    private static Options parseOptions(List<String> args) throws IOException {
        Options options = new Options(args.toArray(new String[0]));
        if (!options.parse()) {
            throw new IllegalArgumentException("jcstress rejected the options " + args);
        }
        return options;
    }

    /** The tests the extra arguments select (all, unless they hold a {@code -t} filter). */
    private static SortedSet<String> select(List<String> extra) throws IOException {
        return new JCStress(parseOptions(extra)).getTests();
    }

    private static SortedSet<String> listAll() throws IOException {
        return new JCStress(parseOptions(List.of())).getTests();
    }

    private static SortedSet<String> controlsIn(SortedSet<String> tests) {
        SortedSet<String> controls = new TreeSet<>();
        for (String test : tests) {
            if (isControl(test)) {
                controls.add(test);
            }
        }
        return controls;
    }

    private static boolean isTermination(String test) {
        try {
            JCStressTest t = Class.forName(test, false, JCStressGate.class.getClassLoader())
                    .getAnnotation(JCStressTest.class);
            return t != null && t.value() == Mode.Termination;
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("jcstress lists test " + test + " but its class is missing", e);
        }
    }

    private static boolean isControl(String test) {
        return controlAnnotation(test) != null;
    }

    private static String describeControl(String test) {
        RacyControl annotation = controlAnnotation(test);
        return annotation == null ? "?" : annotation.value();
    }

    private static RacyControl controlAnnotation(String test) {
        try {
            return Class.forName(test, false, JCStressGate.class.getClassLoader()).getAnnotation(RacyControl.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("jcstress lists test " + test + " but its class is missing", e);
        }
    }

    /** A jcstress {@code -t} regular expression matching exactly these test names. */
    private static String exactly(SortedSet<String> tests) {
        return tests.stream().map(Pattern::quote).collect(Collectors.joining("|", "^(", ")$"));
    }

    /**
     * jcstress options as option to value (null for the value-less {@code -v}, {@code -vv}, {@code -vvv}), so a
     * later setting of an option replaces an earlier one instead of repeating it, which jcstress rejects.
     */
    private static Map<String, String> options(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (!option.startsWith("-")) {
                throw new IllegalArgumentException("expected a jcstress option, got '" + option + "' in " + args);
            }
            boolean flag = option.matches("-v{1,3}") || i + 1 == args.size();
            options.put(option, flag ? null : args.get(++i));
        }
        return options;
    }
}
