package dev.syncmap.cli;

import dev.syncmap.bench.Mix;
import dev.syncmap.cli.bench.Dist;
import dev.syncmap.cli.bench.KeyCount;
import dev.syncmap.cli.bench.WorkloadReader;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose errors are one line naming the bad value. */
final class Converters {

    private Converters() {
    }

    /** A converter that runs a parser and turns its {@link IllegalArgumentException} into picocli's one line. */
    private abstract static class Parsing<T> implements ITypeConverter<T> {
        private final Function<String, T> parser;

        Parsing(Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T convert(String value) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 97:3}. */
    static final class MixConverter extends Parsing<Mix> {
        MixConverter() {
            super(Mix::parse);
        }
    }

    /** {@code 1000}, {@code 100k}, {@code 1m}. */
    static final class KeysConverter extends Parsing<Integer> {
        KeysConverter() {
            super(KeyCount::parse);
        }
    }

    /** A positive thread count. */
    static final class ThreadsConverter extends Parsing<Integer> {
        ThreadsConverter() {
            super(WorkloadReader::parseThreads);
        }
    }

    /** {@code uniform} or {@code zipf}. */
    static final class DistConverter extends Parsing<Dist> {
        DistConverter() {
            super(Dist::parse);
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern FORM = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)\\s*");

        @Override
        public Duration convert(String value) {
            Matcher m = FORM.matcher(value.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("invalid duration '" + value
                        + "': expected a number with a unit ms, s or m, for example 500ms or 2s");
            }
            double n = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> n;
                case "s" -> n * 1_000;
                default -> n * 60_000;
            };
            if (millis < 1) {
                throw new TypeConversionException("invalid duration '" + value + "': must be at least 1ms");
            }
            return Duration.ofMillis(Math.round(millis));
        }
    }
}
