//! Staff accounts: administrators, facilitators and the secretariat.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{AppError, Field, Lang, Problem, UserId};

/// What a staff account may do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts.
    Admin,
    /// Prepares and runs workshops and sessions.
    Facilitator,
    /// Reads every workshop's results and exports them.
    Secretariat,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Facilitator, Role::Secretariat];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Facilitator => "facilitator",
            Role::Secretariat => "secretariat",
        }
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Role::Admin => t.role_admin(),
            Role::Facilitator => t.role_facilitator(),
            Role::Secretariat => t.role_secretariat(),
        }
    }

    /// Whether this role may create workshops and run sessions.
    pub fn can_facilitate(self) -> bool {
        matches!(self, Role::Admin | Role::Facilitator)
    }

    /// Whether this role may read every workshop.
    pub fn reads_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Secretariat)
    }
}

impl FromStr for Role {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "facilitator" => Ok(Role::Facilitator),
            "secretariat" => Ok(Role::Secretariat),
            "" => Err(AppError::invalid(Field::Role, Problem::Required)),
            _ => Err(AppError::invalid(Field::Role, Problem::Unknown)),
        }
    }
}

/// A staff account as shown to people (never with its password hash).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub role: Role,
}

/// Shortest password accepted.
pub const PASSWORD_MIN: u32 = 10;
/// Longest password accepted (argon2 does not need more, and a cap keeps
/// hashing cheap for the server).
pub const PASSWORD_MAX: u32 = 200;

/// Checks an email address loosely: one `@`, something on both sides, a dot
/// in the domain, no spaces. Lower-cased so that logins ignore case.
pub fn parse_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid(Field::Email, Problem::Required));
    }
    if email.chars().count() > 254 {
        return Err(AppError::invalid(
            Field::Email,
            Problem::TooLong { max: 254 },
        ));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid(Field::Email, Problem::Malformed))
    }
}

/// Checks a new password's length (its strength beyond that is the
/// administrator's policy).
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let len = password.chars().count() as u32;
    if len == 0 {
        Err(AppError::invalid(Field::Password, Problem::Required))
    } else if len < PASSWORD_MIN {
        Err(AppError::invalid(
            Field::Password,
            Problem::TooShort { min: PASSWORD_MIN },
        ))
    } else if len > PASSWORD_MAX {
        Err(AppError::invalid(
            Field::Password,
            Problem::TooLong { max: PASSWORD_MAX },
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_loosely_checked() {
        assert_eq!(
            parse_email("  Kominfo@AcehSelatanKab.go.id ").unwrap(),
            "kominfo@acehselatankab.go.id"
        );
        for bad in [
            "kominfo", "@go.id", "a@b", "a@.id", "a b@c.id", "a@b@c.id", "a@c.id.",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_email(""),
            Err(AppError::invalid(Field::Email, Problem::Required))
        );
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(check_new_password("kopi-sanger").is_ok());
        assert_eq!(
            check_new_password("pendek"),
            Err(AppError::invalid(
                Field::Password,
                Problem::TooShort { min: 10 }
            ))
        );
        assert!(check_new_password(&"x".repeat(201)).is_err());
    }

    #[test]
    fn roles_parse_and_carry_their_rights() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!(Role::Facilitator.can_facilitate());
        assert!(!Role::Secretariat.can_facilitate());
        assert!(Role::Secretariat.reads_everything());
        assert!(!Role::Facilitator.reads_everything());
        assert!("root".parse::<Role>().is_err());
    }
}
