package dev.syncmap.replicate;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks of the names that end up in file names, metric tags and logs. */
final class Names {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private Names() {}

    /**
     * Checks a sink or node name.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException if it is empty, too long or has characters other than letters, digits,
     *     '.', '_' and '-'
     */
    static String checkSinkName(String name) {
        return check("sink name", name);
    }

    static String check(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1 to 100 letters, digits, '.', '_'"
                + " or '-', starting with a letter or digit");
        }
        return name;
    }
}
