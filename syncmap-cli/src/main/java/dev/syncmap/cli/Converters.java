package dev.syncmap.cli;

import dev.syncmap.bench.Mix;
import dev.syncmap.cli.bench.Dist;
import dev.syncmap.cli.bench.KeyCount;
import dev.syncmap.cli.bench.WorkloadReader;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose errors are one line naming the bad value. */
final class Converters {

    private Converters() {
    }

    /** {@code 97:3}. */
    static final class MixConverter implements ITypeConverter<Mix> {
        @Override
        public Mix convert(String value) {
            try {
                return Mix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 1000}, {@code 100k}, {@code 1m}. */
    static final class KeysConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return KeyCount.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A positive thread count. */
    static final class ThreadsConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return WorkloadReader.parseThreads(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code uniform} or {@code zipf}. */
    static final class DistConverter implements ITypeConverter<Dist> {
        @Override
        public Dist convert(String value) {
            try {
                return Dist.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
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
