package dev.syncmap.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * One failure to inject into a stage of a pipeline (a transformer, a resolver, a sink, a listener, a store), from
 * the same catalogue the map fault kit uses: a {@code RuntimeException} of the kit's own, a
 * {@code StackOverflowError}, an {@code OutOfMemoryError} and an {@code Error} of the kit's own. It fires once:
 * {@link #fire()} throws the first time it is called and does nothing after, so the code under test meets one
 * failure and then well-behaved user code, and the test can check that it recovered.
 */
public final class StageFault {

    private final Fault fault;

    private StageFault(Fault fault) {
        this.fault = fault;
    }

    /**
     * One fault of every kind user code can throw, injected at {@code where}.
     *
     * @param where the stage, for reports ("transformer", "sink.write", ...)
     * @return the faults, one per kind
     */
    public static List<StageFault> userCode(String where) {
        List<StageFault> out = new ArrayList<>();
        for (Fault.Kind k : Fault.Kind.USER_CODE) {
            out.add(new StageFault(new Fault(k, where, false)));
        }
        return out;
    }

    /**
     * Throws the fault, the first time only.
     */
    public void fire() {
        fault.fire();
    }

    /**
     * Tells whether the fault has fired.
     *
     * @return true once thrown
     */
    public boolean fired() {
        return fault.fired();
    }

    /**
     * Tells whether a throwable is this fault's, or has it among its causes.
     *
     * @param t what the code under test reported
     * @return true if it is (or wraps) the injected throwable
     */
    public boolean isCauseOf(Throwable t) {
        return fault.isCauseOf(t);
    }

    /**
     * Tells whether the fault is an {@link Error} (rather than a {@code RuntimeException}).
     *
     * @return true for the errors
     */
    public boolean isError() {
        return fault.kind.isError();
    }

    /**
     * Tells whether the fault is a {@link StackOverflowError}.
     *
     * @return true for a stack overflow
     */
    public boolean isStackOverflow() {
        return fault.kind == Fault.Kind.STACK_OVERFLOW;
    }

    @Override
    public String toString() {
        return fault.where;
    }
}
