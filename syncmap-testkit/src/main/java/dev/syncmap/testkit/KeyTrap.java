package dev.syncmap.testkit;

/**
 * Arms {@link FaultKey}s: throws {@link Fault} on the Nth {@code hashCode()} or {@code equals} call made on the
 * victim thread (optionally only an {@code equals} between two chosen ids). Calls on other threads are neither
 * counted nor failed, so the kit's checks can use the keys while they are armed.
 */
final class KeyTrap {

    /** Which method of the key fails. */
    enum Method {
        HASH_CODE("hashCode()"),
        EQUALS("equals()");

        final String label;

        Method(String label) {
            this.label = label;
        }
    }

    private final Method method;
    private final int nth;
    /** Fire only for equals between this id and {@link #otherId}; -1: any equals call counts. */
    private final int pairId;
    private final int otherId;
    private final Fault fault;
    private final Thread victim;
    /** Calls counted so far; only the victim thread touches it. */
    private int calls;

    KeyTrap(Method method, int nth, int pairId, int otherId, Fault fault, Thread victim) {
        this.method = method;
        this.nth = nth;
        this.pairId = pairId;
        this.otherId = otherId;
        this.fault = fault;
        this.victim = victim;
    }

    void onHashCode(FaultKey key) {
        if (method == Method.HASH_CODE) {
            count();
        }
    }

    void onEquals(FaultKey self, FaultKey other) {
        if (method == Method.EQUALS && (pairId < 0 || isPair(self.id(), other.id()))) {
            count();
        }
    }

    private boolean isPair(int a, int b) {
        return (a == pairId && b == otherId) || (a == otherId && b == pairId);
    }

    private void count() {
        if (Thread.currentThread() == victim && !fault.fired() && ++calls == nth) {
            fault.fire();
        }
    }
}
