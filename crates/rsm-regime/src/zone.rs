//! Capital time zones of the parties, in which a party's day-counted deadlines end.

use jiff::tz::TimeZone;
use rsm_core::party::PartyCode;

/// The IANA name of the zone of `party`'s capital.
pub fn capital_zone_name(party: PartyCode) -> &'static str {
    match party {
        PartyCode::CN => "Asia/Shanghai",
        PartyCode::JP => "Asia/Tokyo",
        PartyCode::KP => "Asia/Pyongyang",
        PartyCode::KR => "Asia/Seoul",
        PartyCode::RU => "Europe/Moscow",
        PartyCode::US => "America/New_York",
    }
}

/// The time zone of `party`'s capital, from the time zone database.
pub fn capital_zone(party: PartyCode) -> Result<TimeZone, jiff::Error> {
    TimeZone::get(capital_zone_name(party))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capital_zone_is_in_the_database() {
        for p in PartyCode::ALL {
            let tz = capital_zone(p).unwrap();
            assert_eq!(tz.iana_name(), Some(capital_zone_name(p)));
        }
    }
}
