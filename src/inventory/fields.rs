//! How the inventory's fields are read: every key present (`null` is how an
//! inventory says "not collected"), and every time and number a rule
//! computes with checked, so that a bad value is refused with its file,
//! line and field when the inventory is read, never later by a rule.
//!
//! A serde field with `deserialize_with` is required (serde gives a missing
//! one no default), which is what [`nullable`] is for on the `Option` fields.

use std::fmt;
use std::ops::RangeInclusive;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

/// A JSON policy document (IAM, resource, endpoint policy), kept as the
/// service returned it after URL-decoding.
pub type PolicyDocument = serde_json::Value;

/// The earliest time an inventory may hold.
pub const EARLIEST_TIME: OffsetDateTime = datetime!(1970-01-01 0:00 UTC);

/// Times must be before this instant. The policy engine's time builtins
/// (`time.parse_rfc3339_ns`) count nanoseconds since 1970 in a 64-bit
/// integer, which ends on 2262-04-11; a time past that would make a rule
/// fail with an error instead of deciding.
pub const TIME_LIMIT: OffsetDateTime = datetime!(2262-01-01 0:00 UTC);

/// AWS's range of `RecoveryPeriodInDays` (point-in-time recovery).
pub const RECOVERY_PERIOD_DAYS: RangeInclusive<i64> = 1..=35;

/// Checks a time: RFC 3339 and within [`EARLIEST_TIME`]..[`TIME_LIMIT`] (by
/// its UTC instant). The message names `field`.
pub fn check_time(field: &str, text: &str) -> Result<(), String> {
    let shown = crate::strict_json::quoted(text);
    let time = OffsetDateTime::parse(text, &Rfc3339).map_err(|err| {
        format!("{field} {shown} is not an RFC 3339 time such as 2026-10-31T05:11:58Z ({err})")
    })?;
    if time < EARLIEST_TIME || time >= TIME_LIMIT {
        return Err(format!(
            "{field} {shown} is outside the times dynaudit evaluates (1970-01-01T00:00:00Z up to, not including, 2262-01-01T00:00:00Z)"
        ));
    }
    Ok(())
}

// The checks run inside the visitors, so that serde_json puts the error
// where the value is (an error returned after a value was read would get
// the position of the end of its object).

/// An RFC 3339 time in range.
struct Time<'a>(&'a str);

impl<'de> Visitor<'de> for Time<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an RFC 3339 time for {}", self.0)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
        check_time(self.0, text).map_err(E::custom)?;
        Ok(text.to_owned())
    }
}

/// `null` or an RFC 3339 time in range.
struct OptionalTime<'a>(&'a str);

impl<'de> Visitor<'de> for OptionalTime<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or an RFC 3339 time for {}", self.0)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(Time(self.0)).map(Some)
    }
}

/// `null` or an integer in a range.
struct NumberIn<'a> {
    field: &'a str,
    range: RangeInclusive<i64>,
    meaning: &'a str,
}

impl NumberIn<'_> {
    fn check<E: de::Error>(&self, n: i128) -> Result<i64, E> {
        match i64::try_from(n) {
            Ok(n) if self.range.contains(&n) => Ok(n),
            _ => Err(E::custom(format!(
                "{} {n} is not {}",
                self.field, self.meaning
            ))),
        }
    }
}

impl<'de> Visitor<'de> for NumberIn<'_> {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or an integer for {}", self.field)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_i64(self)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        self.check(i128::from(n)).map(Some)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        self.check(i128::from(n)).map(Some)
    }
}

fn time<'de, D: Deserializer<'de>>(deserializer: D, field: &str) -> Result<String, D::Error> {
    deserializer.deserialize_str(Time(field))
}

fn optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
    field: &str,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_option(OptionalTime(field))
}

fn number_in<'de, D: Deserializer<'de>>(
    deserializer: D,
    field: &str,
    range: RangeInclusive<i64>,
    meaning: &str,
) -> Result<Option<i64>, D::Error> {
    deserializer.deserialize_option(NumberIn {
        field,
        range,
        meaning,
    })
}

/// A key that must be present, `null` or a value.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// `collected_at`.
pub fn collected_at<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    time(deserializer, "collected_at")
}

/// A backup's `creation_time`.
pub fn backup_creation_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    time(deserializer, "creation_time")
}

/// A backup's `expiry_time`.
pub fn expiry_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    optional_time(deserializer, "expiry_time")
}

/// A table's `creation_time`.
pub fn table_creation_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    optional_time(deserializer, "creation_time")
}

/// `encryption.inaccessible_since`.
pub fn inaccessible_since<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    optional_time(deserializer, "inaccessible_since")
}

/// `point_in_time_recovery.earliest_restorable`.
pub fn earliest_restorable<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    optional_time(deserializer, "earliest_restorable")
}

/// `point_in_time_recovery.latest_restorable`.
pub fn latest_restorable<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    optional_time(deserializer, "latest_restorable")
}

/// `point_in_time_recovery.recovery_period_days`: 1 to 35.
pub fn recovery_period_days<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    number_in(
        deserializer,
        "recovery_period_days",
        RECOVERY_PERIOD_DAYS,
        "between 1 and 35 (the recovery periods AWS offers)",
    )
}

/// A backup rule's `delete_after_days`: not negative.
pub fn delete_after_days<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    number_in(
        deserializer,
        "delete_after_days",
        0..=i64::MAX,
        "a number of days (0 or more)",
    )
}

/// A managed policy's `attachment_count`: not negative.
pub fn attachment_count<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    number_in(
        deserializer,
        "attachment_count",
        0..=i64::MAX,
        "a count (0 or more)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_must_be_rfc3339_and_in_range() {
        for good in [
            "2026-10-31T05:11:58Z",
            "2026-10-31T05:11:58.123456789Z",
            "2026-10-31T05:11:58+05:30",
            "1970-01-01T00:00:00Z",
            "2261-12-31T23:59:59.999999999Z",
            "2261-12-31T23:59:59-00:00",
        ] {
            assert_eq!(check_time("t", good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("2262-01-01T00:00:00Z", "outside"),
            ("2261-12-31T23:00:00-05:00", "outside"),
            ("9999-12-31T23:59:59Z", "outside"),
            ("1969-12-31T23:59:59Z", "outside"),
            ("1970-01-01T00:30:00+01:00", "outside"),
            ("2026-02-30T00:00:00Z", "not an RFC 3339"),
            ("2026-10-31T05:11:58", "not an RFC 3339"),
            ("2026-10-31", "not an RFC 3339"),
            ("31/10/2026 05:11", "not an RFC 3339"),
            ("", "not an RFC 3339"),
        ] {
            let Err(message) = check_time("expiry_time", bad) else {
                panic!("{bad} accepted");
            };
            assert!(message.starts_with("expiry_time \""), "{message}");
            assert!(message.contains(why), "{bad}: {message}");
        }
    }

    /// Every time the reader accepts, the policy engine parses: the rules
    /// never fail on a time the inventory let through.
    #[test]
    fn the_policy_engine_parses_every_accepted_time() {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(
                "t.rego".to_string(),
                "package t\nns := time.parse_rfc3339_ns(input.t)\n".to_string(),
            )
            .unwrap();
        for good in [
            "1970-01-01T00:00:00Z",
            "2261-12-31T23:59:59.999999999Z",
            "2261-12-31T23:59:59-00:00",
            "2261-12-31T20:00:00-03:59",
            "1970-01-01T23:59:00+23:59",
            "2016-12-31T23:59:60Z",
            "2026-10-31t05:11:58z",
            "2026-10-31 05:11:58Z",
            "2026-10-31T05:11:58.1234567891234Z",
        ] {
            if check_time("t", good).is_err() {
                continue;
            }
            engine.set_input(
                regorus::Value::from_json_str(&format!("{{\"t\": \"{good}\"}}")).unwrap(),
            );
            let ns = engine.eval_rule("data.t.ns".to_string());
            assert!(
                ns.as_ref().is_ok_and(|v| *v != regorus::Value::Undefined),
                "{good}: {ns:?}"
            );
        }
    }
}
