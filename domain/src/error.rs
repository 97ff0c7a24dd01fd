//! The one error type of the application.
//!
//! Every failure a person can cause or meet is a variant here, with an HTTP
//! status and a message in their language. It crosses to the browser as
//! typed JSON (`{"code": "over_budget", ...}`), so the phone can explain an
//! error in the participant's language, and the API wraps it as
//! `{"error": {"code", "message", ...}}`.

use serde::{Deserialize, Serialize};

use crate::{
    Lang,
    i18n::fill,
    question::{Action, Phase},
    wire::{Tag, WireError, need, need_u32},
};

/// Something that went wrong, from a person's point of view. Read
/// through [`AppErrorWire`] (see [`crate::wire`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case", try_from = "AppErrorWire")]
pub enum AppError {
    /// An input field is missing or wrong (422).
    #[error("invalid {field:?}: {problem:?}")]
    Invalid {
        field: Field,
        #[serde(flatten)]
        problem: Problem,
    },
    /// The request could not be read at all, e.g. malformed JSON (400).
    #[error("malformed request: {detail}")]
    Malformed { detail: String },
    /// No or an expired login (401).
    #[error("not signed in")]
    Unauthenticated,
    /// Wrong email or password (401).
    #[error("wrong email or password")]
    BadCredentials,
    /// Signed in, but not allowed to do this (403).
    #[error("forbidden")]
    Forbidden,
    /// A participant acted on a session they have not joined (403).
    #[error("not joined")]
    NotJoined,
    /// The thing does not exist, or is not visible to the caller (404).
    #[error("{what:?} not found")]
    NotFound { what: Entity },
    /// More dots than the question's vote budget allows (409).
    #[error("over budget: {requested} requested, {used_elsewhere} used elsewhere, budget {budget}")]
    OverBudget {
        budget: u32,
        used_elsewhere: u32,
        requested: u32,
    },
    /// The question's phase does not allow this (409).
    #[error("{action:?} not allowed while {phase:?}")]
    PhaseForbids { phase: Phase, action: Action },
    /// The first administrator exists already (409).
    #[error("already set up")]
    AlreadySetUp,
    /// The first-run setup was tried from another device than the computer
    /// running Rembuk, where only that computer may do it (venue mode) (403).
    #[error("setup only on the host computer")]
    SetupElsewhere,
    /// Another account uses this email (409).
    #[error("email taken")]
    EmailTaken,
    /// A dimension or group that questions or participants still use (409).
    #[error("{name} is in use")]
    InUse { name: String },
    /// A card that was merged into another cannot be hidden or restored on
    /// its own; undo the merge instead (409).
    #[error("card merged")]
    CardMerged,
    /// The merge was undone already (409).
    #[error("already undone")]
    AlreadyUndone,
    /// The question collects scores, not dots (409).
    #[error("dots off")]
    DotsOff,
    /// The question collects dots, not scores (409).
    #[error("scores off")]
    ScoresOff,
    /// The request body is larger than allowed (413).
    #[error("too large: limit {limit_bytes} bytes")]
    TooLarge { limit_bytes: u64 },
    /// Too many requests; try again later (429).
    #[error("rate limited")]
    RateLimited { retry_after_secs: u32 },
    /// The session asks for a passcode and this one is missing or wrong (403).
    #[error("wrong passcode")]
    WrongPasscode,
    /// This participant has `max` live streams open already (429).
    #[error("too many streams: at most {max}")]
    TooManyStreams { max: u32 },
    /// A workshop's personal data may only be purged after its retention
    /// date (409).
    #[error("retained until {until:?}")]
    Retained { until: Option<String> },
    /// The server failed; details are in its log, never in the response (500).
    #[error("internal error")]
    Internal,
    /// The database was busy or out of reach for a moment and nothing was
    /// saved; the same request may succeed after the wait (503).
    #[error("unavailable: retry after {retry_after_secs} s")]
    Unavailable { retry_after_secs: u32 },
    /// The browser could not reach the server (never sent by the server).
    #[error("network: {detail}")]
    Network { detail: String },
}

/// [`AppError`]'s tag.
#[derive(Clone, Copy)]
enum AppErrorCode {
    Invalid,
    Malformed,
    Unauthenticated,
    BadCredentials,
    Forbidden,
    NotJoined,
    NotFound,
    OverBudget,
    PhaseForbids,
    AlreadySetUp,
    SetupElsewhere,
    EmailTaken,
    InUse,
    CardMerged,
    AlreadyUndone,
    DotsOff,
    ScoresOff,
    TooLarge,
    RateLimited,
    WrongPasscode,
    TooManyStreams,
    Retained,
    Internal,
    Unavailable,
    Network,
}

crate::tags!(AppErrorCode {
    Invalid = "invalid",
    Malformed = "malformed",
    Unauthenticated = "unauthenticated",
    BadCredentials = "bad_credentials",
    Forbidden = "forbidden",
    NotJoined = "not_joined",
    NotFound = "not_found",
    OverBudget = "over_budget",
    PhaseForbids = "phase_forbids",
    AlreadySetUp = "already_set_up",
    SetupElsewhere = "setup_elsewhere",
    EmailTaken = "email_taken",
    InUse = "in_use",
    CardMerged = "card_merged",
    AlreadyUndone = "already_undone",
    DotsOff = "dots_off",
    ScoresOff = "scores_off",
    TooLarge = "too_large",
    RateLimited = "rate_limited",
    WrongPasscode = "wrong_passcode",
    TooManyStreams = "too_many_streams",
    Retained = "retained",
    Internal = "internal",
    Unavailable = "unavailable",
    Network = "network",
});

/// [`Problem`]'s tag.
#[derive(Clone, Copy)]
enum ProblemKind {
    Required,
    TooLong,
    TooShort,
    OutOfRange,
    Malformed,
    Unknown,
    MustAccept,
    Duplicate,
    WrongKind,
    BeforeStart,
}

crate::tags!(ProblemKind {
    Required = "required",
    TooLong = "too_long",
    TooShort = "too_short",
    OutOfRange = "out_of_range",
    Malformed = "malformed",
    Unknown = "unknown",
    MustAccept = "must_accept",
    Duplicate = "duplicate",
    WrongKind = "wrong_kind",
    BeforeStart = "before_start",
});

/// Every field of every [`AppError`] (with an invalid field's
/// [`Problem`] flattened into it), as read from JSON. The API's `message`
/// is ignored: the reader words the error in its own language.
#[derive(Deserialize)]
struct AppErrorWire {
    code: AppErrorCode,
    field: Option<Field>,
    problem: Option<ProblemKind>,
    /// A problem's bound, or the most streams (`u32` in both).
    max: Option<i64>,
    min: Option<i64>,
    detail: Option<String>,
    what: Option<Entity>,
    budget: Option<u32>,
    used_elsewhere: Option<u32>,
    requested: Option<u32>,
    phase: Option<Phase>,
    action: Option<Action>,
    name: Option<String>,
    limit_bytes: Option<u64>,
    retry_after_secs: Option<u32>,
    until: Option<String>,
}

impl crate::json::FromJson for AppError {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        AppErrorWire::from_json(value)?
            .try_into()
            .map_err(WireError::into_json)
    }
}

crate::json_struct!(AppErrorWire {
    code,
    field,
    problem,
    max,
    min,
    detail,
    what,
    budget,
    used_elsewhere,
    requested,
    phase,
    action,
    name,
    limit_bytes,
    retry_after_secs,
    until,
});

impl TryFrom<AppErrorWire> for AppError {
    type Error = WireError;

    fn try_from(w: AppErrorWire) -> Result<Self, WireError> {
        use AppErrorCode as C;
        Ok(match w.code {
            C::Invalid => AppError::Invalid {
                field: need(w.field, "field")?,
                problem: match need(w.problem, "problem")? {
                    ProblemKind::Required => Problem::Required,
                    ProblemKind::TooLong => Problem::TooLong {
                        max: need_u32(w.max, "max")?,
                    },
                    ProblemKind::TooShort => Problem::TooShort {
                        min: need_u32(w.min, "min")?,
                    },
                    ProblemKind::OutOfRange => Problem::OutOfRange {
                        min: need(w.min, "min")?,
                        max: need(w.max, "max")?,
                    },
                    ProblemKind::Malformed => Problem::Malformed,
                    ProblemKind::Unknown => Problem::Unknown,
                    ProblemKind::MustAccept => Problem::MustAccept,
                    ProblemKind::Duplicate => Problem::Duplicate,
                    ProblemKind::WrongKind => Problem::WrongKind,
                    ProblemKind::BeforeStart => Problem::BeforeStart,
                },
            },
            C::Malformed => AppError::Malformed {
                detail: need(w.detail, "detail")?,
            },
            C::Unauthenticated => AppError::Unauthenticated,
            C::BadCredentials => AppError::BadCredentials,
            C::Forbidden => AppError::Forbidden,
            C::NotJoined => AppError::NotJoined,
            C::NotFound => AppError::NotFound {
                what: need(w.what, "what")?,
            },
            C::OverBudget => AppError::OverBudget {
                budget: need(w.budget, "budget")?,
                used_elsewhere: need(w.used_elsewhere, "used_elsewhere")?,
                requested: need(w.requested, "requested")?,
            },
            C::PhaseForbids => AppError::PhaseForbids {
                phase: need(w.phase, "phase")?,
                action: need(w.action, "action")?,
            },
            C::AlreadySetUp => AppError::AlreadySetUp,
            C::SetupElsewhere => AppError::SetupElsewhere,
            C::EmailTaken => AppError::EmailTaken,
            C::InUse => AppError::InUse {
                name: need(w.name, "name")?,
            },
            C::CardMerged => AppError::CardMerged,
            C::AlreadyUndone => AppError::AlreadyUndone,
            C::DotsOff => AppError::DotsOff,
            C::ScoresOff => AppError::ScoresOff,
            C::TooLarge => AppError::TooLarge {
                limit_bytes: need(w.limit_bytes, "limit_bytes")?,
            },
            C::RateLimited => AppError::RateLimited {
                retry_after_secs: need(w.retry_after_secs, "retry_after_secs")?,
            },
            C::WrongPasscode => AppError::WrongPasscode,
            C::TooManyStreams => AppError::TooManyStreams {
                max: need_u32(w.max, "max")?,
            },
            // Absent or null: no retention date, as the derived reader had it.
            C::Retained => AppError::Retained { until: w.until },
            C::Internal => AppError::Internal,
            C::Unavailable => AppError::Unavailable {
                retry_after_secs: need(w.retry_after_secs, "retry_after_secs")?,
            },
            C::Network => AppError::Network {
                detail: need(w.detail, "detail")?,
            },
        })
    }
}

/// Which input an [`AppError::Invalid`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Password,
    Role,
    Title,
    Place,
    StartsOn,
    EndsOn,
    Language,
    Code,
    Group,
    Name,
    Consent,
    Text,
    Kind,
    Answers,
    Dots,
    Prompt,
    Dimension,
    SubElement,
    VoteBudget,
    Phase,
    Key,
    Dimensions,
    Groups,
    IdempotencyKey,
    Seconds,
    Reason,
    Cards,
    Urgency,
    Seriousness,
    Growth,
    Impact,
    Effort,
    Horizon,
    LeadOffice,
    VotingMode,
    Format,
    Passcode,
    WithdrawnCards,
    RetainUntil,
}

crate::tags!(Field {
    Email = "email",
    Password = "password",
    Role = "role",
    Title = "title",
    Place = "place",
    StartsOn = "starts_on",
    EndsOn = "ends_on",
    Language = "language",
    Code = "code",
    Group = "group",
    Name = "name",
    Consent = "consent",
    Text = "text",
    Kind = "kind",
    Answers = "answers",
    Dots = "dots",
    Prompt = "prompt",
    Dimension = "dimension",
    SubElement = "sub_element",
    VoteBudget = "vote_budget",
    Phase = "phase",
    Key = "key",
    Dimensions = "dimensions",
    Groups = "groups",
    IdempotencyKey = "idempotency_key",
    Seconds = "seconds",
    Reason = "reason",
    Cards = "cards",
    Urgency = "urgency",
    Seriousness = "seriousness",
    Growth = "growth",
    Impact = "impact",
    Effort = "effort",
    Horizon = "horizon",
    LeadOffice = "lead_office",
    VotingMode = "voting_mode",
    Format = "format",
    Passcode = "passcode",
    WithdrawnCards = "withdrawn_cards",
    RetainUntil = "retain_until",
});

/// What is wrong with a [`Field`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Empty or missing.
    Required,
    /// Longer than `max` characters (or items).
    TooLong { max: u32 },
    /// Shorter than `min` characters.
    TooShort { min: u32 },
    /// Not a number between `min` and `max`.
    OutOfRange { min: i64, max: i64 },
    /// Not of the expected form (e.g. an email without `@`).
    Malformed,
    /// Not one of the values this workshop or question allows.
    Unknown,
    /// Consent must be given to take part.
    MustAccept,
    /// The same value appears twice.
    Duplicate,
    /// A card kind that does not fit the question (e.g. an idea for a problems question).
    WrongKind,
    /// The end date lies before the start date.
    BeforeStart,
}

/// The kind of thing a [`AppError::NotFound`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Workshop,
    Session,
    Question,
    Card,
    User,
    Page,
    Merge,
}

crate::tags!(Entity {
    Workshop = "workshop",
    Session = "session",
    Question = "question",
    Card = "card",
    User = "user",
    Page = "page",
    Merge = "merge",
});

impl AppError {
    /// Shorthand for an [`AppError::Invalid`].
    pub fn invalid(field: Field, problem: Problem) -> Self {
        AppError::Invalid { field, problem }
    }

    /// Shorthand for an [`AppError::NotFound`].
    pub fn not_found(what: Entity) -> Self {
        AppError::NotFound { what }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Malformed { .. } => 400,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden
            | AppError::NotJoined
            | AppError::WrongPasscode
            | AppError::SetupElsewhere => 403,
            AppError::NotFound { .. } => 404,
            AppError::OverBudget { .. }
            | AppError::PhaseForbids { .. }
            | AppError::AlreadySetUp
            | AppError::EmailTaken
            | AppError::InUse { .. }
            | AppError::CardMerged
            | AppError::AlreadyUndone
            | AppError::DotsOff
            | AppError::ScoresOff
            | AppError::Retained { .. } => 409,
            AppError::TooLarge { .. } => 413,
            AppError::RateLimited { .. } | AppError::TooManyStreams { .. } => 429,
            AppError::Internal => 500,
            AppError::Unavailable { .. } | AppError::Network { .. } => 503,
        }
    }

    /// The machine-readable code, as in the JSON `code` field.
    pub fn code(&self) -> &'static str {
        self.tag().name()
    }

    /// Which variant this is, as its tag.
    fn tag(&self) -> AppErrorCode {
        use AppErrorCode as C;
        match self {
            AppError::Invalid { .. } => C::Invalid,
            AppError::Malformed { .. } => C::Malformed,
            AppError::Unauthenticated => C::Unauthenticated,
            AppError::BadCredentials => C::BadCredentials,
            AppError::Forbidden => C::Forbidden,
            AppError::NotJoined => C::NotJoined,
            AppError::NotFound { .. } => C::NotFound,
            AppError::OverBudget { .. } => C::OverBudget,
            AppError::PhaseForbids { .. } => C::PhaseForbids,
            AppError::AlreadySetUp => C::AlreadySetUp,
            AppError::SetupElsewhere => C::SetupElsewhere,
            AppError::EmailTaken => C::EmailTaken,
            AppError::InUse { .. } => C::InUse,
            AppError::CardMerged => C::CardMerged,
            AppError::AlreadyUndone => C::AlreadyUndone,
            AppError::DotsOff => C::DotsOff,
            AppError::ScoresOff => C::ScoresOff,
            AppError::TooLarge { .. } => C::TooLarge,
            AppError::RateLimited { .. } => C::RateLimited,
            AppError::WrongPasscode => C::WrongPasscode,
            AppError::TooManyStreams { .. } => C::TooManyStreams,
            AppError::Retained { .. } => C::Retained,
            AppError::Internal => C::Internal,
            AppError::Unavailable { .. } => C::Unavailable,
            AppError::Network { .. } => C::Network,
        }
    }

    /// A sentence a person understands, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            AppError::Invalid { field, problem } => {
                let field = field.label(lang);
                match problem {
                    Problem::Required => fill(t.problem_required(), &[("field", field)]),
                    Problem::TooLong { max } => fill(
                        t.problem_too_long(),
                        &[("field", field), ("max", &lang.number(i64::from(*max)))],
                    ),
                    Problem::TooShort { min } => fill(
                        t.problem_too_short(),
                        &[("field", field), ("min", &lang.number(i64::from(*min)))],
                    ),
                    Problem::OutOfRange { min, max } => fill(
                        t.problem_out_of_range(),
                        &[
                            ("field", field),
                            ("min", &lang.number(*min)),
                            ("max", &lang.number(*max)),
                        ],
                    ),
                    Problem::Malformed => fill(t.problem_malformed(), &[("field", field)]),
                    Problem::Unknown => fill(t.problem_unknown(), &[("field", field)]),
                    Problem::MustAccept => t.problem_must_accept().to_string(),
                    Problem::Duplicate => fill(t.problem_duplicate(), &[("field", field)]),
                    Problem::WrongKind => t.problem_wrong_kind().to_string(),
                    Problem::BeforeStart => t.problem_before_start().to_string(),
                }
            }
            AppError::Malformed { .. } => t.error_malformed().to_string(),
            AppError::Unauthenticated => t.error_unauthenticated().to_string(),
            AppError::BadCredentials => t.error_bad_credentials().to_string(),
            AppError::Forbidden => t.error_forbidden().to_string(),
            AppError::NotJoined => t.error_not_joined().to_string(),
            AppError::NotFound { what } => fill(t.error_not_found(), &[("what", what.label(lang))]),
            AppError::OverBudget {
                budget,
                used_elsewhere,
                ..
            } => {
                let left = budget.saturating_sub(*used_elsewhere);
                fill(
                    t.error_over_budget(),
                    &[("budget", &budget.to_string()), ("left", &left.to_string())],
                )
            }
            AppError::PhaseForbids { phase, action } => {
                let template = match action {
                    Action::SubmitCard => t.error_phase_no_cards(),
                    Action::Vote => t.error_phase_no_votes(),
                };
                fill(template, &[("phase", phase.label(lang))])
            }
            AppError::AlreadySetUp => t.error_already_set_up().to_string(),
            AppError::SetupElsewhere => t.error_setup_elsewhere().to_string(),
            AppError::EmailTaken => t.error_email_taken().to_string(),
            AppError::InUse { name } => fill(t.error_in_use(), &[("name", name)]),
            AppError::CardMerged => t.error_card_merged().to_string(),
            AppError::AlreadyUndone => t.error_already_undone().to_string(),
            AppError::DotsOff => t.error_dots_off().to_string(),
            AppError::ScoresOff => t.error_scores_off().to_string(),
            AppError::TooLarge { limit_bytes } => fill(
                t.error_too_large(),
                &[("kb", &lang.number((*limit_bytes / 1024).max(1) as i64))],
            ),
            AppError::RateLimited { retry_after_secs } => fill(
                t.error_rate_limited(),
                &[("seconds", &retry_after_secs.to_string())],
            ),
            AppError::WrongPasscode => t.error_wrong_passcode().to_string(),
            AppError::TooManyStreams { max } => {
                fill(t.error_too_many_streams(), &[("max", &max.to_string())])
            }
            AppError::Retained { until: Some(date) } => fill(t.error_retained(), &[("date", date)]),
            AppError::Retained { until: None } => t.error_no_retention_date().to_string(),
            AppError::Internal => t.error_internal().to_string(),
            AppError::Unavailable { retry_after_secs } => fill(
                t.error_unavailable(),
                &[("seconds", &retry_after_secs.to_string())],
            ),
            AppError::Network { .. } => t.error_network().to_string(),
        }
    }

    /// How long the server asked the client to wait before it sends the
    /// same request again (the `Retry-After` header), if it did.
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            AppError::RateLimited { retry_after_secs }
            | AppError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AppError::Network { .. }
                | AppError::RateLimited { .. }
                | AppError::Unavailable { .. }
                | AppError::Internal
        )
    }
}

impl Field {
    /// The field's label, as shown next to the input.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Field::Email => t.field_email(),
            Field::Password => t.field_password(),
            Field::Role => t.field_role(),
            Field::Title => t.field_title(),
            Field::Place => t.field_place(),
            Field::StartsOn => t.field_starts_on(),
            Field::EndsOn => t.field_ends_on(),
            Field::Language => t.field_language(),
            Field::Code => t.field_code(),
            Field::Group => t.field_group(),
            Field::Name => t.field_name(),
            Field::Consent => t.field_consent(),
            Field::Text => t.field_text(),
            Field::Kind => t.field_kind(),
            Field::Answers => t.field_answers(),
            Field::Dots => t.field_dots(),
            Field::Prompt => t.field_prompt(),
            Field::Dimension => t.field_dimension(),
            Field::SubElement => t.field_sub_element(),
            Field::VoteBudget => t.field_vote_budget(),
            Field::Phase => t.field_phase(),
            Field::Key => t.field_key(),
            Field::Dimensions => t.field_dimensions(),
            Field::Groups => t.field_groups(),
            Field::IdempotencyKey => t.field_idempotency_key(),
            Field::Seconds => t.field_seconds(),
            Field::Reason => t.field_reason(),
            Field::Cards => t.field_cards(),
            Field::Urgency => t.field_urgency(),
            Field::Seriousness => t.field_seriousness(),
            Field::Growth => t.field_growth(),
            Field::Impact => t.field_impact(),
            Field::Effort => t.field_effort(),
            Field::Horizon => t.field_horizon(),
            Field::LeadOffice => t.field_lead_office(),
            Field::VotingMode => t.field_voting_mode(),
            Field::Format => t.field_format(),
            Field::Passcode => t.field_passcode(),
            Field::WithdrawnCards => t.field_withdrawn_cards(),
            Field::RetainUntil => t.field_retain_until(),
        }
    }
}

impl Entity {
    /// The entity's name in a sentence ("sesi", "session").
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Entity::Workshop => t.entity_workshop(),
            Entity::Session => t.entity_session(),
            Entity::Question => t.entity_question(),
            Entity::Card => t.entity_card(),
            Entity::User => t.entity_user(),
            Entity::Page => t.entity_page(),
            Entity::Merge => t.entity_merge(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_with_a_code_tag() {
        let e = AppError::OverBudget {
            budget: 3,
            used_elsewhere: 2,
            requested: 2,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "over_budget");
        assert_eq!(json["budget"], 3);
        assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), e);
        let e = AppError::invalid(Field::Text, Problem::TooLong { max: 500 });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid");
        assert_eq!(json["field"], "text");
        assert_eq!(json["problem"], "too_long");
        assert_eq!(json["max"], 500);
        assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), e);
    }

    /// An example of every variant (an invalid field's with every
    /// problem); [`variant`] checks that none is missing.
    fn every_variant() -> Vec<AppError> {
        let problems = [
            Problem::Required,
            Problem::TooLong { max: 500 },
            Problem::TooShort { min: 2 },
            Problem::OutOfRange { min: -3, max: 5 },
            Problem::Malformed,
            Problem::Unknown,
            Problem::MustAccept,
            Problem::Duplicate,
            Problem::WrongKind,
            Problem::BeforeStart,
        ];
        let others = [
            AppError::Malformed { detail: "x".into() },
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::Forbidden,
            AppError::NotJoined,
            AppError::not_found(Entity::Card),
            AppError::OverBudget {
                budget: 3,
                used_elsewhere: 2,
                requested: 2,
            },
            AppError::PhaseForbids {
                phase: Phase::Closed,
                action: Action::Vote,
            },
            AppError::AlreadySetUp,
            AppError::SetupElsewhere,
            AppError::EmailTaken,
            AppError::InUse { name: "k".into() },
            AppError::CardMerged,
            AppError::AlreadyUndone,
            AppError::DotsOff,
            AppError::ScoresOff,
            AppError::TooLarge {
                limit_bytes: 1 << 40,
            },
            AppError::RateLimited {
                retry_after_secs: 30,
            },
            AppError::WrongPasscode,
            AppError::TooManyStreams { max: 4 },
            AppError::Retained {
                until: Some("2027-01-31".into()),
            },
            AppError::Retained { until: None },
            AppError::Internal,
            AppError::Unavailable {
                retry_after_secs: 2,
            },
            AppError::Network { detail: "x".into() },
        ];
        problems
            .into_iter()
            .map(|p| AppError::invalid(Field::Text, p))
            .chain(others)
            .collect()
    }

    #[test]
    fn every_error_reads_back_as_written() {
        let all = every_variant();
        let seen: std::collections::BTreeSet<_> = all.iter().map(variant).collect();
        assert_eq!(seen, (0..VARIANTS).collect(), "an example of every variant");
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(
                serde_json::from_str::<AppError>(&json).unwrap(),
                e,
                "{json}"
            );
            assert_eq!(crate::json::read::<AppError>(&json), Ok(e), "{json}");
        }
    }

    /// How many variants [`variant`] tells apart.
    const VARIANTS: usize = 34;

    /// A number per variant (an invalid field's per problem). A new variant
    /// fails to compile here, and then the round trip above fails until it
    /// has an example, so the wire reader can never miss one.
    fn variant(e: &AppError) -> usize {
        match e {
            AppError::Invalid { problem, .. } => match problem {
                Problem::Required => 0,
                Problem::TooLong { .. } => 1,
                Problem::TooShort { .. } => 2,
                Problem::OutOfRange { .. } => 3,
                Problem::Malformed => 4,
                Problem::Unknown => 5,
                Problem::MustAccept => 6,
                Problem::Duplicate => 7,
                Problem::WrongKind => 8,
                Problem::BeforeStart => 9,
            },
            AppError::Malformed { .. } => 10,
            AppError::Unauthenticated => 11,
            AppError::BadCredentials => 12,
            AppError::Forbidden => 13,
            AppError::NotJoined => 14,
            AppError::NotFound { .. } => 15,
            AppError::OverBudget { .. } => 16,
            AppError::PhaseForbids { .. } => 17,
            AppError::AlreadySetUp => 18,
            AppError::SetupElsewhere => 19,
            AppError::EmailTaken => 20,
            AppError::InUse { .. } => 21,
            AppError::CardMerged => 22,
            AppError::AlreadyUndone => 23,
            AppError::DotsOff => 24,
            AppError::ScoresOff => 25,
            AppError::TooLarge { .. } => 26,
            AppError::RateLimited { .. } => 27,
            AppError::WrongPasscode => 28,
            AppError::TooManyStreams { .. } => 29,
            AppError::Retained { .. } => 30,
            AppError::Internal => 31,
            AppError::Network { .. } => 32,
            AppError::Unavailable { .. } => 33,
        }
    }

    #[test]
    fn an_api_error_reads_with_its_message_and_in_any_order() {
        let e: AppError = serde_json::from_str(
            r#"{"max": 500, "message": "Teks terlalu panjang", "problem": "too_long", "field": "text", "code": "invalid"}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            AppError::invalid(Field::Text, Problem::TooLong { max: 500 })
        );
        let bad = serde_json::from_str::<AppError>(r#"{"code": "too_many_streams", "max": -1}"#);
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("field `max` is out of range")
        );
        let bad = serde_json::from_str::<AppError>(r#"{"code": "invalid", "field": "text"}"#);
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("missing field `problem`")
        );
    }

    #[test]
    fn code_matches_the_serialised_tag() {
        for e in every_variant() {
            assert_eq!(serde_json::to_value(&e).unwrap()["code"], e.code());
            for lang in Lang::ALL {
                let m = e.message(lang);
                assert!(!m.is_empty() && !m.contains('{'), "{lang}: {m}");
            }
        }
    }

    #[test]
    fn statuses_follow_http_meaning() {
        assert_eq!(
            AppError::invalid(Field::Text, Problem::Required).status(),
            422
        );
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::not_found(Entity::Session).status(), 404);
        assert_eq!(
            AppError::OverBudget {
                budget: 3,
                used_elsewhere: 3,
                requested: 1
            }
            .status(),
            409
        );
        assert_eq!(AppError::TooLarge { limit_bytes: 1 }.status(), 413);
    }

    #[test]
    fn messages_are_in_the_asked_language() {
        let e = AppError::invalid(Field::Text, Problem::TooLong { max: 500 });
        assert_eq!(
            e.message(Lang::Id),
            "Teks kartu terlalu panjang: paling banyak 500 karakter."
        );
        assert_eq!(
            e.message(Lang::En),
            "Card text is too long: at most 500 characters."
        );
        let e = AppError::OverBudget {
            budget: 3,
            used_elsewhere: 2,
            requested: 2,
        };
        assert!(
            e.message(Lang::Id).contains("tersisa 1"),
            "{}",
            e.message(Lang::Id)
        );
        assert!(
            e.message(Lang::En).contains("1 left"),
            "{}",
            e.message(Lang::En)
        );
    }
}
