//! Instants and calendar dates without a date library: the proleptic
//! Gregorian conversions below (Howard Hinnant's algorithms) are all Rembuk
//! needs, and keep the browser bundle small.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::Lang;

/// Western Indonesian Time (WIB, UTC+7), Aceh's time zone, in minutes.
pub const WIB: i32 = 7 * 60;

/// An instant, in milliseconds since the Unix epoch (UTC). Serialised as an
/// RFC 3339 string such as `2026-11-28T06:30:00.000Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 UTC instant (`YYYY-MM-DDTHH:MM:SS[.mmm]Z`).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let (date, rest) = s.split_once('T')?;
        let date = Date::parse(date)?;
        let rest = rest.strip_suffix('Z')?;
        let (hms, frac) = match rest.split_once('.') {
            Some((hms, frac)) => (hms, frac),
            None => (rest, "0"),
        };
        let mut parts = hms.split(':').map(|p| p.parse::<i64>().ok());
        let (h, m, sec) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
            return None;
        }
        let frac_digits: String = frac.chars().take(3).collect();
        if frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let millis = format!("{frac_digits:0<3}").parse::<i64>().ok()?;
        let days = date.days_since_epoch();
        Some(Timestamp(
            ((days * 24 + h) * 60 + m) * 60_000 + sec * 1000 + millis,
        ))
    }

    /// The time of day (`HH:MM:SS`) of this instant at a fixed UTC offset in
    /// minutes.
    pub fn clock_at_offset(self, offset_minutes: i32) -> String {
        let local = self.0 + i64::from(offset_minutes) * 60_000;
        let ms = local.rem_euclid(86_400_000);
        format!(
            "{:02}:{:02}:{:02}",
            ms / 3_600_000,
            ms % 3_600_000 / 60_000,
            ms % 60_000 / 1000
        )
    }

    /// The calendar date of this instant at a fixed UTC offset in minutes
    /// (e.g. `7 * 60` for WIB, Aceh's time zone).
    pub fn date_at_offset(self, offset_minutes: i32) -> Date {
        let local = self.0 + i64::from(offset_minutes) * 60_000;
        Date::from_days_since_epoch(local.div_euclid(86_400_000))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let date = Date::from_days_since_epoch(days);
        let (h, rem) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
        let (m, rem) = (rem / 60_000, rem % 60_000);
        let (s, ms) = (rem / 1000, rem % 1000);
        write!(f, "{date}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&s)
            .ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 UTC timestamp"))
    }
}

impl crate::json::FromJson for Timestamp {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        Timestamp::parse_rfc3339(&crate::json::text(value)?).ok_or(crate::json::JsonError::new(
            "expected an RFC 3339 UTC timestamp",
        ))
    }
}

/// A calendar date (`YYYY-MM-DD`), e.g. a workshop's first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// Builds a date, checking that it exists (no 30 February).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        (self.year, self.month, self.day)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date as people write it: `28 November 2026` / `28 November 2026`.
    pub fn long(self, lang: Lang) -> String {
        format!("{} {} {}", self.day, lang.month(self.month), self.year)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a date as YYYY-MM-DD"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_rfc3339_utc() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        // 2026-11-28T06:30:15.250Z
        let t = Timestamp(1_795_847_415_250);
        assert_eq!(t.to_string(), "2026-11-28T06:30:15.250Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_string()), Some(t));
    }

    #[test]
    fn timestamps_before_the_epoch_work() {
        let t = Timestamp(-1);
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_string()), Some(t));
    }

    #[test]
    fn rfc3339_parsing_rejects_nonsense() {
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-28T06:30:15Z"),
            Some(Timestamp(1_795_847_415_000))
        );
        assert!(Timestamp::parse_rfc3339("2026-11-28 06:30:15").is_none());
        assert!(Timestamp::parse_rfc3339("2026-13-28T06:30:15Z").is_none());
        assert!(Timestamp::parse_rfc3339("2026-11-28T25:30:15Z").is_none());
        assert!(Timestamp::parse_rfc3339("2026-11-28T06:30:15.x1Z").is_none());
    }

    #[test]
    fn dates_validate_the_calendar() {
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2028-02-29").is_some());
        assert!(Date::parse("2026-04-31").is_none());
        assert!(Date::parse("26-04-01").is_none());
        assert!(Date::parse("2026-4-1").is_none());
        assert_eq!(
            Date::parse(" 2026-12-01 ").unwrap().to_string(),
            "2026-12-01"
        );
    }

    #[test]
    fn day_counts_round_trip_over_a_wide_range() {
        for days in (-800_000..800_000).step_by(997) {
            let d = Date::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
        }
    }

    #[test]
    fn the_date_at_wib_can_differ_from_utc() {
        // 2026-11-27T20:00Z is already 28 November in Aceh (UTC+7).
        let t = Timestamp::parse_rfc3339("2026-11-27T20:00:00Z").unwrap();
        assert_eq!(t.date_at_offset(0).to_string(), "2026-11-27");
        assert_eq!(t.date_at_offset(7 * 60).to_string(), "2026-11-28");
    }

    #[test]
    fn clock_times_follow_the_offset() {
        let t = Timestamp::parse_rfc3339("2026-11-27T20:05:09Z").unwrap();
        assert_eq!(t.clock_at_offset(0), "20:05:09");
        assert_eq!(t.clock_at_offset(7 * 60), "03:05:09");
    }

    #[test]
    fn long_dates_use_month_names() {
        let d = Date::parse("2026-08-17").unwrap();
        assert_eq!(d.long(Lang::Id), "17 Agustus 2026");
        assert_eq!(d.long(Lang::En), "17 August 2026");
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::{
        RefOr, Type,
        schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat},
    };

    use super::{Date, Timestamp};

    impl utoipa::PartialSchema for Timestamp {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .into()
        }
    }
    impl utoipa::ToSchema for Timestamp {}

    impl utoipa::PartialSchema for Date {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .into()
        }
    }
    impl utoipa::ToSchema for Date {}
}
