package dev.syncmap.jcstress;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a jcstress test as a deliberately racy control: its race outcome is declared {@code FORBIDDEN}, and
 * {@link JCStressGate} fails the build unless that outcome is observed. A control that passes means the harness
 * (annotation processing, forking, result collection, grading) cannot see races, so green real tests would
 * prove nothing.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RacyControl {

    /**
     * The race, in a few words, for the gate's report.
     *
     * @return a short description
     */
    String value();
}
