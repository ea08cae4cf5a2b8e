package dev.syncmap;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The module {@code dev.syncmap} as the build produced it: the directory of its compiled main classes (which holds
 * {@code module-info.class}, and none of the test classes) and its descriptor. Shared by the tests that check what
 * the module makes public.
 */
final class BuiltModule {

    private BuiltModule() {}

    /**
     * Returns the directory or jar the main classes were loaded from ({@code target/classes} in a Maven build).
     *
     * @return the location of {@link Snapshot}'s class file
     */
    static Path location() {
        try {
            return Path.of(Snapshot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the compiled module descriptor.
     *
     * @return the descriptor of {@code dev.syncmap}
     * @throws IOException if {@code module-info.class} is missing or unreadable
     */
    static ModuleDescriptor descriptor() throws IOException {
        try (InputStream in = Files.newInputStream(location().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    /**
     * Returns the packages exported to every module (qualified exports excluded).
     *
     * @return the names, sorted
     * @throws IOException if the descriptor cannot be read
     */
    static Set<String> unqualifiedExports() throws IOException {
        Set<String> out = new TreeSet<>();
        for (ModuleDescriptor.Exports e : descriptor().exports()) {
            if (!e.isQualified()) {
                out.add(e.source());
            }
        }
        return out;
    }
}
