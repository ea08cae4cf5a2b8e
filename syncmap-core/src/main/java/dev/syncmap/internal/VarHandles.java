package dev.syncmap.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Finds the {@link VarHandle}s that the maps keep in {@code static final} fields. */
public final class VarHandles {

    private VarHandles() {}

    /**
     * Finds the handle of an instance field, for a {@code static final} initializer.
     *
     * @param lookup the declaring class's own {@code MethodHandles.lookup()}, which may see its private fields and
     *     those of its nestmates
     * @param owner the class declaring the field
     * @param name the field's name
     * @param type the field's type
     * @return the handle
     * @throws ExceptionInInitializerError if there is no such field, or {@code lookup} may not see it
     */
    public static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
