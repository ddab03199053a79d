package io.mailroute.reports;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * The period a report's firing belongs to: the key that makes a run happen once ({@link ReportRuns#begin}).
 *
 * <p>Keys: a day {@code 2026-11-23}, an ISO week {@code 2026-W48} (week-based year, so 2027-01-01 is in
 * {@code 2026-W53}), a month {@code 2026-11}; always in the schedule's time zone.
 *
 * <p>The rule, in two steps:
 * <ol>
 *   <li><b>Which firing.</b> A fire time is mapped to the latest firing of the schedule at or before it. A
 *       schedule missed while the service was down is caught up once at start-up (Quartz's fire-once-now misfire
 *       policy): that late fire belongs to the period of the last firing it stands for, not to the period of the
 *       start-up time, so it can never take the place of the next regular firing. A fire time with no firing of
 *       the schedule in the 800 days before it (a run started by hand before the schedule ever fired) is taken
 *       as it is.</li>
 *   <li><b>Which unit.</b> An explicit unit (a report's {@code period: day|week|month}) wins. Otherwise the unit
 *       is derived from the cadence: the coarsest of month, ISO week and day in which the schedule never fires
 *       twice, judged over its firings in the two years from a year before the fire time. A monthly cron gives
 *       months, a weekly one ISO weeks, a daily or weekday one days; a schedule that fires on the 1st and the
 *       15th gives weeks. A schedule that fires more than once a day has no derived unit: give one explicitly,
 *       and its firings within a period then share one run.</li>
 * </ol>
 * The period names when the run was due, not which data the report covers (a Monday-morning report of last
 * week's figures has the key of the Monday's week).
 */
public final class Periods {

    /** The calendar unit of a period. */
    public enum Unit {
        /** Finer units, for schedules that fire more than once a day ({@code schedule.period: hour}). */
        MINUTE, HOUR, DAY, WEEK, MONTH;

        /** {@code day}, {@code week} or {@code month} (any case), as a report's {@code period:} key takes it. */
        public static Unit parse(String text) {
            if (text != null) {
                for (Unit unit : values()) {
                    if (unit.name().equalsIgnoreCase(text.strip())) {
                        return unit;
                    }
                }
            }
            throw new IllegalArgumentException("a report period is minute, hour, day, week or month, not " + quoted(text));
        }

        /** The key of the period of this unit that holds {@code at} (in at's zone). */
        public String key(ZonedDateTime at) {
            return switch (this) {
                case MINUTE -> at.toLocalDate() + String.format(Locale.ROOT, "T%02d:%02d", at.getHour(), at.getMinute());
                case HOUR -> at.toLocalDate() + String.format(Locale.ROOT, "T%02d", at.getHour());
                case DAY -> at.toLocalDate().toString();
                case WEEK -> String.format(Locale.ROOT, "%04d-W%02d", at.get(IsoFields.WEEK_BASED_YEAR),
                        at.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                case MONTH -> YearMonth.from(at).toString();
            };
        }
    }

    private static final Pattern DAY_KEY = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final Pattern HOUR_KEY = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})T(\\d{2})");
    private static final Pattern MINUTE_KEY = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})T(\\d{2}):(\\d{2})");
    private static final Pattern WEEK_KEY = Pattern.compile("(\\d{4})-W(\\d{2})");
    private static final Pattern MONTH_KEY = Pattern.compile("(\\d{4})-(\\d{2})");
    private static final Duration[] LOOKBACKS = {Duration.ofHours(1), Duration.ofDays(2), Duration.ofDays(16),
            Duration.ofDays(64), Duration.ofDays(400), Duration.ofDays(800)};
    private static final Duration CADENCE_WINDOW = Duration.ofDays(731);

    private Periods() {
    }

    /** The period of a firing of {@code cron} (Quartz syntax) in {@code zone}, its unit derived from the cadence. */
    public static String of(String cron, ZoneId zone, Instant fireTime) {
        return of(cron, zone, fireTime, null);
    }

    /**
     * The period of a firing of {@code cron} (Quartz syntax) in {@code zone}.
     *
     * @param unit the report's explicit unit, or null to derive it from the cadence
     * @throws IllegalArgumentException when the cron is not valid, or fires more than once a day and no unit is given
     */
    public static String of(String cron, ZoneId zone, Instant fireTime, Unit unit) {
        CronExpression schedule = parse(cron, zone);
        Unit chosen = unit != null ? unit : cadence(schedule, cron, fireTime);
        return chosen.key(firingAtOrBefore(schedule, fireTime).atZone(zone));
    }

    /**
     * The run a firing belongs to and the data it covers: the period of {@link #of(String, ZoneId, Instant, Unit)}, and
     * the window from the schedule's firing before the one {@code fireTime} stands for (inclusive) to that firing
     * (exclusive). A Monday 07:00 weekly report covers the week up to that Monday 07:00; a monthly one on the 1st the
     * month before it. A fire time with no firing lately (a run by hand before the schedule ever fired) ends its window
     * at itself.
     *
     * @param unit the report's explicit unit, or null to derive it from the cadence
     */
    public static RunWindow window(String cron, ZoneId zone, Instant fireTime, Unit unit) {
        CronExpression schedule = parse(cron, zone);
        Unit chosen = unit != null ? unit : cadence(schedule, cron, fireTime);
        Instant end = firingAtOrBefore(schedule, fireTime);
        Instant start = latestFiring(schedule, end.minusSeconds(1));
        if (start == null) { // no firing before it lately: one unit back
            start = switch (chosen) {
                case MINUTE -> end.minusSeconds(60);
                case HOUR -> end.minusSeconds(3600);
                case DAY -> end.atZone(zone).minusDays(1).toInstant();
                case WEEK -> end.atZone(zone).minusWeeks(1).toInstant();
                case MONTH -> end.atZone(zone).minusMonths(1).toInstant();
            };
        }
        return new RunWindow(0, chosen.key(end.atZone(zone)), start, end, zone);
    }

    /**
     * The window of a period given by its key ({@code reports run --period 2026-W48}): the one of the schedule's last
     * firing in that period, or of the period's end when the schedule never fires in it.
     *
     * @throws IllegalArgumentException for a key that is not a period, or of another unit than the schedule's
     */
    public static RunWindow window(String cron, ZoneId zone, String periodKey, Unit unit) {
        Unit keyUnit = unitOf(periodKey);
        CronExpression schedule = parse(cron, zone);
        ZonedDateTime first = keyUnit == Unit.MINUTE || keyUnit == Unit.HOUR
                ? java.time.LocalDateTime.parse(keyUnit == Unit.HOUR ? periodKey + ":00" : periodKey).atZone(zone)
                : firstDayOf(periodKey, keyUnit).atStartOfDay(zone);
        Instant periodEnd = (switch (keyUnit) {
            case MINUTE -> first.plusMinutes(1);
            case HOUR -> first.plusHours(1);
            case DAY -> first.plusDays(1);
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
        }).toInstant();
        Unit chosen = unit != null ? unit : cadence(schedule, cron, periodEnd);
        if (chosen != keyUnit) {
            throw new IllegalArgumentException("this report's periods are " + chosen.name().toLowerCase(Locale.ROOT)
                    + "s (" + chosen.key(first) + "), not " + keyUnit.name().toLowerCase(Locale.ROOT) + "s like '"
                    + periodKey + "'");
        }
        Instant last = firingAtOrBefore(schedule, periodEnd.minusSeconds(1));
        Instant at = last.isBefore(first.toInstant()) ? periodEnd.minusSeconds(1) : last;
        RunWindow window = window(cron, zone, at, chosen);
        return new RunWindow(0, periodKey, window.start(), window.end(), zone);
    }

    /** The schedule's first firing after {@code at}, if it has one. */
    public static java.util.Optional<Instant> nextFiring(String cron, ZoneId zone, Instant at) {
        return java.util.Optional.ofNullable(next(parse(cron, zone), at));
    }

    /** The schedule's latest firing at or before {@code at}, in the 800 days before it: what a start-up catches up. */
    public static java.util.Optional<Instant> latestFiring(String cron, ZoneId zone, Instant at) {
        return java.util.Optional.ofNullable(latestFiring(parse(cron, zone), at));
    }

    private static LocalDate firstDayOf(String key, Unit unit) {
        return switch (unit) {
            case MINUTE, HOUR, DAY -> LocalDate.parse(key.substring(0, 10));
            case WEEK -> LocalDate.of(Integer.parseInt(key.substring(0, 4)), 6, 1)
                    .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(key.substring(6)))
                    .with(java.time.DayOfWeek.MONDAY);
            case MONTH -> YearMonth.parse(key).atDay(1);
        };
    }

    /**
     * The unit derived from the cadence of {@code cron} around {@code near} (see the class comment).
     *
     * @throws IllegalArgumentException when the cron is not valid or fires more than once a day
     */
    public static Unit cadence(String cron, ZoneId zone, Instant near) {
        return cadence(parse(cron, zone), cron, near);
    }

    /** The unit of a period key ({@code 2026-11-23}, {@code 2026-W48}, {@code 2026-11}), which it also checks. */
    public static Unit unitOf(String key) {
        try {
            Matcher m;
            if (key != null && (m = MINUTE_KEY.matcher(key)).matches()) {
                java.time.LocalDateTime.parse(key);
                return Unit.MINUTE;
            }
            if (key != null && (m = HOUR_KEY.matcher(key)).matches()) {
                java.time.LocalDateTime.parse(key + ":00");
                return Unit.HOUR;
            }
            if (key != null && (m = DAY_KEY.matcher(key)).matches()) {
                LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                return Unit.DAY;
            }
            if (key != null && (m = WEEK_KEY.matcher(key)).matches()) {
                int week = Integer.parseInt(m.group(2));
                LocalDate mid = LocalDate.of(Integer.parseInt(m.group(1)), 6, 1);
                if (week >= 1 && week <= IsoFields.WEEK_OF_WEEK_BASED_YEAR.rangeRefinedBy(mid).getMaximum()) {
                    return Unit.WEEK;
                }
            }
            if (key != null && (m = MONTH_KEY.matcher(key)).matches()) {
                YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                return Unit.MONTH;
            }
        } catch (DateTimeException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("a report period is a day (2026-11-23), an ISO week (2026-W48), a month "
                + "(2026-11), an hour (2026-11-23T14) or a minute (2026-11-23T14:05), not " + quoted(key));
    }

    private static CronExpression parse(String cron, ZoneId zone) {
        try {
            CronExpression schedule = new CronExpression(cron);
            schedule.setTimeZone(TimeZone.getTimeZone(zone));
            return schedule;
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("report schedule " + quoted(cron) + " is not a Quartz cron expression "
                    + "(seconds minutes hours day-of-month month day-of-week [year]): " + e.getMessage(), e);
        }
    }

    private static Unit cadence(CronExpression schedule, String cron, Instant near) {
        ZoneId zone = schedule.getTimeZone().toZoneId();
        Instant end = near.plus(CADENCE_WINDOW.dividedBy(2));
        boolean twiceADay = false;
        boolean twiceAWeek = false;
        boolean twiceAMonth = false;
        ZonedDateTime previous = null;
        for (Instant at = next(schedule, near.minus(CADENCE_WINDOW.dividedBy(2))); at != null && !at.isAfter(end);
                at = next(schedule, at)) {
            ZonedDateTime here = at.atZone(zone);
            if (previous != null) {
                twiceADay |= Unit.DAY.key(previous).equals(Unit.DAY.key(here));
                twiceAWeek |= Unit.WEEK.key(previous).equals(Unit.WEEK.key(here));
                twiceAMonth |= Unit.MONTH.key(previous).equals(Unit.MONTH.key(here));
            }
            if (twiceADay) {
                throw new IllegalArgumentException("report schedule " + quoted(cron) + " fires more than once a day, so "
                        + "no period can be derived from it: give the report a period (day, week or month)");
            }
            previous = here;
        }
        return !twiceAMonth ? Unit.MONTH : !twiceAWeek ? Unit.WEEK : Unit.DAY;
    }

    /** The latest firing at or before {@code fireTime}, or fireTime itself when the schedule had none lately. */
    private static Instant firingAtOrBefore(CronExpression schedule, Instant fireTime) {
        Instant latest = latestFiring(schedule, fireTime);
        return latest == null ? fireTime : latest;
    }

    /** The latest firing at or before {@code fireTime} in the 800 days before it, or null. */
    private static Instant latestFiring(CronExpression schedule, Instant fireTime) {
        for (Duration lookback : LOOKBACKS) {
            Instant latest = null;
            for (Instant at = next(schedule, fireTime.minus(lookback)); at != null && !at.isAfter(fireTime);
                    at = next(schedule, at)) {
                latest = at;
            }
            if (latest != null) {
                return latest;
            }
        }
        return null;
    }

    /** The first firing strictly after {@code after}, or null when the schedule has no more. */
    private static Instant next(CronExpression schedule, Instant after) {
        Date next = schedule.getNextValidTimeAfter(Date.from(after));
        return next == null ? null : next.toInstant();
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
