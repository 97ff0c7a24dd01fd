//! Typed identifiers, so that a card id can never be passed where a session
//! id is expected.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps an existing UUID.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl $crate::json::FromJson for $name {
            fn from_json(value: $crate::json::Value) -> Result<Self, $crate::json::JsonError> {
                Uuid::parse_str(&$crate::json::text(value)?)
                    .map(Self)
                    .map_err(|_| $crate::json::JsonError::new("expected an id (UUID)"))
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    };
}

id_type!(
    /// A staff account (admin, facilitator or secretariat).
    UserId
);
id_type!(
    /// A workshop: one FGD event, usually one or two days.
    WorkshopId
);
id_type!(
    /// A session of a workshop: a day, or a room, with its own join code.
    SessionId
);
id_type!(
    /// A question posted to a session.
    QuestionId
);
id_type!(
    /// A problem or idea card.
    CardId
);
id_type!(
    /// A participant of one session (pseudonymous).
    ParticipantId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = CardId(Uuid::from_u128(42));
        let parsed: CardId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<CardId>(&json).unwrap(), id);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-a-uuid".parse::<SessionId>().is_err());
    }
}
