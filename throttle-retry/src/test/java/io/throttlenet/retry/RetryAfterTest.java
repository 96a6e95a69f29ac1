package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("1994-11-06T08:48:17Z");

  @Test
  void deltaSeconds_parseWithWhitespaceAndDecimals() {
    assertThat(RetryAfter.parse("0", NOW)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse("  45  ", NOW)).contains(Duration.ofSeconds(45));
    assertThat(RetryAfter.parse("2.0", NOW)).contains(Duration.ofSeconds(2));
    assertThat(RetryAfter.parse("1.5", NOW)).contains(Duration.ofMillis(1500));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "soon", "-5", "12.", ".5", "1e3", "Sun, 31 Feb 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
      "Sun, 06 Nov 10000 08:49:37 GMT", "Sun, 06 Nov -994 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 08:49:37 UTC", "garbage, 06 Nov 1994 08:49:37 GMT"})
  void invalidValues_giveNoHint(String value) {
    assertThat(RetryAfter.parse(value, NOW)).isEmpty();
  }

  @Test
  void null_givesNoHint() {
    assertThat(RetryAfter.parse(null, NOW)).isEmpty();
  }

  @Test
  void imfDate_isRelativeToNow_andThePastIsZero() {
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:57 GMT", NOW)).contains(Duration.ofSeconds(100));
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("sun, 06 NOV 1994 08:49:57 gmt", NOW)).contains(Duration.ofSeconds(100));
  }

  @Test
  void rfc850AndAsctime_agreeWithImf() {
    Duration imf = RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW).orElseThrow();
    assertThat(imf).isEqualTo(Duration.ofSeconds(80));
    assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).contains(imf);
    assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)).contains(imf);
  }

  @Test
  void rfc850TwoDigitYear_moreThan50YearsAheadMeansThePastCentury() {
    Instant now = Instant.parse("2026-11-26T00:00:00Z");
    // "76" would be 2076 (50 years ahead: allowed), "77" would be 2077 (more than 50: 1977)
    assertThat(RetryAfter.parse("Thursday, 26-Nov-76 00:00:10 GMT", now)).contains(Duration.ofDays(18263).plusSeconds(10));
    assertThat(RetryAfter.parse("Friday, 26-Nov-77 00:00:10 GMT", now)).contains(Duration.ZERO);
  }

  @Test
  void civilDateAnchors_areExact() {
    Instant epoch = Instant.EPOCH;
    assertThat(RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", epoch)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("Sat, 01 Jan 2000 00:00:00 GMT", epoch)).contains(Duration.ofDays(10957));
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", epoch)).contains(Duration.ofSeconds(784111777));
    assertThat(RetryAfter.parse("Thu, 29 Feb 2024 00:00:00 GMT", epoch)).isPresent();
    assertThat(RetryAfter.parse("Fri, 29 Feb 2023 00:00:00 GMT", epoch)).isEmpty();
  }

  @Test
  void absurdlyLargeValues_saturate() {
    assertThat(RetryAfter.parse("99999999999999999999999999", NOW)).contains(RetryAfter.MAX);
    assertThat(RetryAfter.parse("9223372036854775806.5", NOW)).contains(Duration.ofSeconds(9223372036854775806L, 500_000_000));
  }

  @Test
  void parse_leadingZerosBeyondNineteenDigits_areStrippedNotSaturated() {
    // Issue 13, item 15: 20+ digits were taken as overflow before the zeros were stripped.
    assertThat(RetryAfter.parse("00000000000000000001", NOW)).contains(Duration.ofSeconds(1));
    assertThat(RetryAfter.parse("0000000000000000000000000000000.5", NOW)).contains(Duration.ofMillis(500));
    assertThat(RetryAfter.parse("000000000000000000000000", NOW)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("0009223372036854775806", NOW)).contains(Duration.ofSeconds(9223372036854775806L));
    assertThat(RetryAfter.parse("00099999999999999999999", NOW)).contains(RetryAfter.MAX);
  }

  @Test
  void anyString_neverThrows() {
    qt().withExamples(2_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(s -> assertThat(RetryAfter.parse(s, NOW)).isNotNull());
  }

  @Test
  void rfc850TwoDigitYear_isTheLatestYearNotMoreThan50YearsAhead() {
    Instant now = Instant.parse("2060-01-01T00:00:00Z");
    // "05": 2005 is 55 years back, 2105 is 45 years ahead: 2105
    assertThat(RetryAfter.parse("Monday, 01-Jan-05 00:00:00 GMT", now)).hasValueSatisfying(d -> assertThat(d.toDays()).isGreaterThan(16_000));
  }

  @Test
  void extremeNow_givesNoHintForADateRatherThanThrowing() {
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", Instant.MAX)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", Instant.MIN)).isEmpty(); // no century
    assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", Instant.MAX)).isEmpty();
    assertThat(RetryAfter.parse("5", Instant.MAX)).contains(Duration.ofSeconds(5));
  }
}
