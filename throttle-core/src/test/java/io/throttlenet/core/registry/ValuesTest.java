package io.throttlenet.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void duration_readsEveryUnitAndDecimals() {
    assertThat(Values.duration("100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(Values.duration("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Values.duration("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Values.duration("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Values.duration("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Values.duration("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Values.duration("250µs")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Values.duration("7ns")).isEqualTo(Duration.ofNanos(7));
    assertThat(Values.duration(" 0.1ms ")).isEqualTo(Duration.ofNanos(100_000));
    assertThat(Values.duration("10 s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Values.duration("PT2S")).isEqualTo(Duration.ofSeconds(2));
    // Range is the builder's job: a negative duration parses so the builder can name it.
    assertThat(Values.duration("-3s")).isEqualTo(Duration.ofSeconds(-3));
  }

  @Test
  void duration_rejectsWhatIsNotADurationQuotingTheText() {
    assertThatThrownBy(() -> Values.duration("100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must be a number and a unit (ns, us, ms, s, m, h, d) such as 100ms,"
            + " 2s or 1.5h, or ISO-8601 such as PT2S, was '100'");
    assertThatThrownBy(() -> Values.duration("5 parsecs")).hasMessageContaining("was '5 parsecs'");
    assertThatThrownBy(() -> Values.duration("ms")).hasMessageContaining("was 'ms'");
    assertThatThrownBy(() -> Values.duration("1.2.3s")).hasMessageContaining("was '1.2.3s'");
    assertThatThrownBy(() -> Values.duration("PTxS")).hasMessageContaining("was 'PTxS'");
    assertThatThrownBy(() -> Values.duration("0.5ns"))
        .hasMessage("duration must not be finer than a nanosecond, was '0.5ns'");
    assertThatThrownBy(() -> Values.duration("99999999999999999999d"))
        .hasMessageContaining("within Duration's range");
  }

  @Test
  void formatDuration_picksTheLargestExactUnit() {
    assertThat(Values.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Values.formatDuration(Duration.ofMinutes(120))).isEqualTo("2h");
    assertThat(Values.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Values.formatDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(Values.formatDuration(Duration.ofNanos(-1))).isEqualTo("-1ns");
  }

  @Test
  void duration_readsBackWhatFormatWrites_forEveryDuration() {
    qt().withExamples(5_000)
        .forAll(longs().all(), integers().between(0, 999_999_999))
        .checkAssert((seconds, nanos) -> {
          Duration d = Duration.ofSeconds(seconds, nanos);
          assertThat(Values.duration(Values.formatDuration(d))).isEqualTo(d);
        });
  }

  @Test
  void duration_readsBackWholeUnits() {
    qt().forAll(longs().between(-1_000_000, 1_000_000), integers().between(0, 6))
        .checkAssert((n, unit) -> {
          TimeUnit[] units = {TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS, TimeUnit.MILLISECONDS,
              TimeUnit.SECONDS, TimeUnit.MINUTES, TimeUnit.HOURS, TimeUnit.DAYS};
          Duration d = Duration.of(n, units[unit].toChronoUnit());
          String text = Values.formatDuration(d);
          assertThat(Values.duration(text)).isEqualTo(d);
          assertThat(text.length()).isLessThanOrEqualTo(Long.toString(n).length() + 2);
        });
  }

  @Test
  void rate_readsCountPerDuration() {
    assertThat(Values.rate("5000/1h")).isEqualTo(new Rate(5000, Duration.ofHours(1)));
    assertThat(Values.rate("100/s")).isEqualTo(new Rate(100, Duration.ofSeconds(1)));
    assertThat(Values.rate("100k / 1m")).isEqualTo(new Rate(100_000, Duration.ofMinutes(1)));
    assertThat(Values.rate("1/500ms")).isEqualTo(new Rate(1, Duration.ofMillis(500)));
    assertThat(Values.rate("0/s")).isEqualTo(new Rate(0, Duration.ofSeconds(1)));
    assertThat(new Rate(5000, Duration.ofHours(1))).hasToString("5k/1h");
  }

  @Test
  void rate_rejectsOtherForms() {
    for (String bad : new String[] {"100", "fast", "1.5/s", "100/", "/s", "100/3 weeks"}) {
      assertThatThrownBy(() -> Values.rate(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rate must be a count per duration such as 5000/1h, 100/s or 60/1m, was '"
              + bad + "'");
    }
  }

  @Test
  void rate_readsBackWhatFormatWrites() {
    qt().forAll(longs().between(0, Long.MAX_VALUE), longs().between(1, Long.MAX_VALUE))
        .checkAssert((permits, nanos) -> {
          Rate r = new Rate(permits, Duration.ofNanos(nanos));
          assertThat(Values.rate(Values.formatRate(r))).isEqualTo(r);
        });
  }

  @Test
  void percent_readsPercentagesAndFractions() {
    assertThat(Values.percent("50%")).isEqualTo(0.5);
    assertThat(Values.percent("12.5 %")).isEqualTo(0.125);
    assertThat(Values.percent("0.5")).isEqualTo(0.5);
    assertThat(Values.percent("150%")).isEqualTo(1.5); // the builder says it is out of range
    assertThat(Values.formatPercent(0.125)).isEqualTo("12.5%");
    assertThat(Values.formatPercent(1)).isEqualTo("100%");
    for (String bad : new String[] {"half", "%", "50%%", "NaN", "5e1%"}) {
      assertThatThrownBy(() -> Values.percent(bad))
          .hasMessage("percentage must be a percentage such as 50% or a fraction such as 0.5, was '"
              + bad + "'");
    }
  }

  @Test
  void percent_readsBackWhatFormatWrites_forEveryFiniteDouble() {
    qt().withExamples(5_000)
        .forAll(doubles().any())
        .assuming(d -> !Double.isNaN(d) && !Double.isInfinite(d))
        .checkAssert(d -> assertThat(Values.percent(Values.formatPercent(d))).isEqualTo(d));
  }

  @Test
  void count_readsSuffixes() {
    assertThat(Values.count("100k")).isEqualTo(100_000);
    assertThat(Values.count("100K")).isEqualTo(100_000);
    assertThat(Values.count("1.5k")).isEqualTo(1_500);
    assertThat(Values.count("2M")).isEqualTo(2_000_000);
    assertThat(Values.count("3G")).isEqualTo(3_000_000_000L);
    assertThat(Values.count("-7")).isEqualTo(-7);
    assertThat(Values.formatCount(1_500)).isEqualTo("1500");
    assertThat(Values.formatCount(0)).isEqualTo("0");
    assertThat(Values.formatCount(-2_000_000)).isEqualTo("-2M");
    assertThatThrownBy(() -> Values.count("1.2345k")).hasMessage("count must not be a fraction, was '1.2345k'");
    assertThatThrownBy(() -> Values.count("10m")).hasMessageContaining("was '10m'");
    assertThatThrownBy(() -> Values.count("99999999999999999999")).hasMessage("count must fit a long, was '99999999999999999999'");
    assertThatThrownBy(() -> Values.integer("3G")).hasMessage("count must fit an int, was '3G'");
  }

  @Test
  void count_readsBackWhatFormatWrites_forEveryLong() {
    qt().withExamples(5_000)
        .forAll(longs().all())
        .checkAssert(n -> assertThat(Values.count(Values.formatCount(n))).isEqualTo(n));
  }

  @Test
  void boolAndConstant_acceptOnlyTheirWords() {
    assertThat(Values.bool("TRUE")).isTrue();
    assertThat(Values.bool("false")).isFalse();
    assertThatThrownBy(() -> Values.bool("yes")).hasMessage("boolean must be true or false, was 'yes'");
    assertThat(Values.constant(TimeUnit.class, "milliseconds")).isEqualTo(TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> Values.constant(TimeUnit.class, "fortnights"))
        .hasMessageStartingWith("TimeUnit must be one of nanoseconds, microseconds, milliseconds")
        .hasMessageEndingWith("was 'fortnights'");
  }
}
