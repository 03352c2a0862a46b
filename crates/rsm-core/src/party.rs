//! The six parties of the mechanism and their codes.

use std::{fmt, str::FromStr};

/// One of the six parties, by its ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartyCode {
    CN,
    JP,
    KP,
    KR,
    RU,
    US,
}

impl PartyCode {
    /// All parties in code order.
    pub const ALL: [PartyCode; 6] = [Self::CN, Self::JP, Self::KP, Self::KR, Self::RU, Self::US];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CN => "CN",
            Self::JP => "JP",
            Self::KP => "KP",
            Self::KR => "KR",
            Self::RU => "RU",
            Self::US => "US",
        }
    }

    /// The party's short English name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CN => "China",
            Self::JP => "Japan",
            Self::KP => "Democratic People's Republic of Korea",
            Self::KR => "Republic of Korea",
            Self::RU => "Russian Federation",
            Self::US => "United States of America",
        }
    }
}

impl fmt::Display for PartyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the six party codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a party code: expected one of CN, JP, KP, KR, RU, US")]
pub struct UnknownParty(pub String);

impl FromStr for PartyCode {
    type Err = UnknownParty;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownParty(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_reject_others() {
        for p in PartyCode::ALL {
            assert_eq!(p.as_str().parse::<PartyCode>(), Ok(p));
        }
        assert!("kr".parse::<PartyCode>().is_err(), "codes are upper case");
        assert!("XX".parse::<PartyCode>().is_err());
        assert_eq!(
            "XX".parse::<PartyCode>().unwrap_err().to_string(),
            "`XX` is not a party code: expected one of CN, JP, KP, KR, RU, US"
        );
    }
}
